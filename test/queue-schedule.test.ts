// When recurring work runs: the clean-up of what a crash left behind runs at every start and
// twice an hour, so nothing waits for a daily job.
import { parseCrontab } from 'graphile-worker';
import { atStart, recurring } from '../src/jobs';
import { nextCronTime } from '../src/lib/queue';

const cronOf = (task: string) => {
  const item = recurring.find((r) => r.task === task);
  if (!item || !('cron' in item)) throw new Error(`${task} has no crontab line`);
  return parseCrontab(`${item.cron} ${task}`)[0];
};

test('the media clean-up runs at start and then within every half hour', () => {
  expect(atStart).toContain('media_cleanup');
  const cleanup = cronOf('media_cleanup');
  let at = new Date('2031-03-14T09:59:30Z');
  for (let i = 0; i < 6; i++) {
    const next = nextCronTime(cleanup, at)!;
    expect(next.getTime() - at.getTime()).toBeLessThanOrEqual(30 * 60_000);
    at = next;
  }
});

test('the next time of a crontab line is in the future, to the minute, in UTC', () => {
  const retention = cronOf('rsvp_retention');
  const next = nextCronTime(retention, new Date('2031-03-14T03:17:20Z'))!;
  expect(next.toISOString()).toBe('2031-03-15T03:17:00.000Z');
  expect(nextCronTime(retention, new Date('2031-03-14T03:16:59Z'))!.toISOString()).toBe('2031-03-14T03:17:00.000Z');
});

test('reminders and the confirmation sweep are queued on every beat of the schedule', () => {
  expect(recurring).toEqual(expect.arrayContaining([
    { task: 'rsvp_reminders', every: 'beat' },
    { task: 'rsvp_confirmation_sweep', every: 'beat' },
  ]));
});
