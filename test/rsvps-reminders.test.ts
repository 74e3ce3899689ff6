import { parseCrontab } from 'graphile-worker';
import { createHarness, Harness, linkIn } from './support/harness';
import { buildEvent, buildRsvp, buildUser } from './support/factories';
import { fixedClock } from '../src/lib/clock';
import { recurring, runDueJobs } from '../src/jobs';
import { sendDueReminders } from '../src/services/rsvp-jobs';
import { recipients } from './support/smtp';

const clock = fixedClock('2031-06-01T00:00:00Z');
let h: Harness;
let owner: { id: number };
beforeAll(async () => {
  h = await createHarness({ clock });
  owner = await buildUser(h.database.db);
});
afterAll(async () => {
  await h.close();
});

const at = (iso: string) => new Date(iso);
const remindersTo = (email: string) => h.smtp.to(email).filter((m) => m.subject!.startsWith('Reminder'));

async function remindAt(iso: string): Promise<number> {
  clock.set(iso);
  const n = await sendDueReminders(h.deps, clock.now());
  await h.runJobs();
  return n;
}

describe('reminders for everyone going', () => {
  test('are sent the day before and three hours before, at the right instant in each zone', async () => {
    // 10:00 in Tokyo is 01:00 UTC; 10:00 in New York (summer) is 14:00 UTC.
    const tokyo = await buildEvent(h.database.db, owner, { title: 'Tokyo picket', timezone: 'Asia/Tokyo', city: 'Tokyo', country: 'JP', starts_at: at('2031-06-10T01:00:00Z') });
    const nyc = await buildEvent(h.database.db, owner, { title: 'New York picket', timezone: 'America/New_York', city: 'New York', country: 'US', starts_at: at('2031-06-10T14:00:00Z') });
    const early = at('2031-06-01T00:00:00Z');
    const yuki = await buildRsvp(h.database.db, tokyo, { email: 'yuki@picket.test', name: 'Yuki', created_at: early });
    await buildRsvp(h.database.db, tokyo, { email: 'left@picket.test', status: 'cancelled', created_at: early });
    await buildRsvp(h.database.db, tokyo, { email: 'waiting@picket.test', status: 'waitlisted', created_at: early });
    await buildRsvp(h.database.db, tokyo, { email: null, created_at: early }); // head count only: nobody to tell
    await buildRsvp(h.database.db, nyc, { email: 'sam@picket.test', name: 'Sam', created_at: early });

    expect(await remindAt('2031-06-09T00:59:00Z')).toBe(0);
    expect(await remindAt('2031-06-09T01:00:00Z')).toBe(1);
    const dayBefore = remindersTo('yuki@picket.test');
    expect(dayBefore).toHaveLength(1);
    expect(dayBefore[0].subject).toBe('Reminder: Tokyo picket starts in 24 hours');
    expect(dayBefore[0].text).toContain('10:00');
    expect(linkIn(dayBefore[0].text!, '/rsvp/')).toBe(`/rsvp/${yuki.token}`);

    expect(await remindAt('2031-06-09T01:01:00Z')).toBe(0);
    expect(await remindAt('2031-06-09T13:59:00Z')).toBe(0);
    expect(remindersTo('sam@picket.test')).toHaveLength(0);
    expect(await remindAt('2031-06-09T14:00:00Z')).toBe(1);
    expect(remindersTo('sam@picket.test')).toHaveLength(1);

    expect(await remindAt('2031-06-09T21:59:00Z')).toBe(0);
    expect(await remindAt('2031-06-09T22:00:00Z')).toBe(1);
    const soon = remindersTo('yuki@picket.test');
    expect(soon.map((m) => m.subject)).toEqual(['Reminder: Tokyo picket starts in 24 hours', 'Reminder: Tokyo picket starts in 3 hours']);
    expect(await remindAt('2031-06-10T11:00:00Z')).toBe(1); // New York, 3 hours before
    expect(await remindAt('2031-06-10T13:59:00Z')).toBe(0);
    expect(remindersTo('sam@picket.test')).toHaveLength(2);
    for (const nobody of ['left@picket.test', 'waiting@picket.test']) expect(h.smtp.to(nobody)).toHaveLength(0);
  });

  test('"the day before" keeps the local time across a daylight-saving change', async () => {
    // Clocks go forward in London on Sunday 30 March 2031: 10:00 BST is 09:00 UTC, and 10:00 the
    // day before is still GMT, 10:00 UTC: 23 hours before, not 24.
    const event = await buildEvent(h.database.db, owner, { title: 'Spring picket', timezone: 'Europe/London', starts_at: at('2031-03-30T09:00:00Z') });
    await buildRsvp(h.database.db, event, { email: 'spring@picket.test', created_at: at('2031-03-01T00:00:00Z') });
    expect(await remindAt('2031-03-29T09:00:00Z')).toBe(0);
    expect(await remindAt('2031-03-29T10:00:00Z')).toBe(1);
    expect(remindersTo('spring@picket.test')).toHaveLength(1);
  });

  test('someone who RSVPs after a reminder time gets only the later reminder; after an outage only the latest is sent', async () => {
    const event = await buildEvent(h.database.db, owner, { title: 'Late picket', starts_at: at('2031-07-10T12:00:00Z') });
    await buildRsvp(h.database.db, event, { email: 'late@picket.test', created_at: at('2031-07-09T20:00:00Z') });
    await buildRsvp(h.database.db, event, { email: 'early@picket.test', created_at: at('2031-07-01T00:00:00Z') });
    // The worker was down from before the day-before reminder until after the 3-hour one was due.
    expect(await remindAt('2031-07-10T09:30:00Z')).toBe(2);
    for (const who of ['late@picket.test', 'early@picket.test']) {
      expect(remindersTo(who).map((m) => m.subject)).toEqual(['Reminder: Late picket starts in 3 hours']);
    }
  });

  test('are never sent twice, even by a new worker after a restart', async () => {
    const event = await buildEvent(h.database.db, owner, { title: 'Restart picket', starts_at: at('2031-08-10T12:00:00Z') });
    await buildRsvp(h.database.db, event, { email: 'once@picket.test', created_at: at('2031-08-01T00:00:00Z') });
    const queueCron = () => h.database.db.raw("select graphile_worker.add_job('rsvp_reminders', '{}'::json)");
    // Two workers (as after a restart, or on two machines), each with its own clock, same database.
    const workerA = { ...h.jobDeps, clock: fixedClock('2031-08-09T12:00:30Z') };
    const workerB = { ...h.jobDeps, clock: fixedClock('2031-08-09T12:01:30Z') };
    await queueCron();
    await runDueJobs(workerA);
    expect(remindersTo('once@picket.test')).toHaveLength(1);
    await queueCron();
    await runDueJobs(workerB);
    await Promise.all([sendDueReminders(workerA, workerA.clock.now()), sendDueReminders(workerB, workerB.clock.now())]);
    await h.runJobs();
    expect(remindersTo('once@picket.test')).toHaveLength(1);
  });

  test('the schedule runs the reminder task on every beat (each minute) and the retention task daily', () => {
    expect(recurring).toContainEqual({ task: 'rsvp_reminders', every: 'beat' });
    const retention = recurring.find((r) => r.task === 'rsvp_retention');
    expect(retention && 'cron' in retention && /^\d+ \d+ \* \* \*$/.test(retention.cron)).toBe(true);
    expect(parseCrontab(recurring.flatMap((r) => ('cron' in r ? [`${r.cron} ${r.task}`] : [])).join('\n')).map((i) => i.task)).toContain('rsvp_retention');
  });
});
