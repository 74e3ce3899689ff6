import { createHarness, Harness, csrfFrom } from './support/harness';
import { serve } from './support/browser';
import { buildEvent, buildUser } from './support/factories';
import { submitRsvp } from '../src/services/rsvps';

let h: Harness;
let owner: { id: number };
beforeAll(async () => {
  h = await createHarness({ env: { RSVP_RATE_LIMIT: '100000' } });
  owner = await buildUser(h.database.db);
});
afterAll(async () => {
  await h.close();
});

const statusCounts = async (eventId: number) => {
  const rows = await h.database.db('rsvps').where({ event_id: eventId }).select('status').count<{ status: string; n: number }[]>({ n: '*' }).groupBy('status');
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
};

describe('many people RSVP at the same moment', () => {
  test('without a waitlist the rest are refused and nothing of theirs is stored', async () => {
    const event = await buildEvent(h.database.db, owner, { capacity: 100, waitlist_enabled: false });
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        submitRsvp(h.deps, event.id, { name: `P${i}`, email: `p${i}@picket.test`, role: 'attendee', note: '', locale: 'en' }),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(100);
    expect(results.filter((r) => !r.ok && r.errors._form === 'rsvps.closed.full')).toHaveLength(200);
    expect(await statusCounts(event.id)).toEqual({ going: 100 });

    // The confirmations of a burst are queued in batches: each person still gets exactly one.
    h.smtp.clear();
    await h.runJobs();
    const confirmed = h.smtp.messages.filter((m) => m.subject!.startsWith('You are going'));
    const addresses = confirmed.map((m) => String((m.to as { text: string }).text));
    expect(addresses).toHaveLength(100);
    expect(new Set(addresses).size).toBe(100);
    expect(await h.database.db('rsvps').where({ event_id: event.id, confirmation_pending: true })).toHaveLength(0);
    expect(await h.database.db('rsvp_confirmation_batches')).toHaveLength(0);
  }, 60_000);

  test('500 simultaneous RSVPs to a picket for 100 give exactly 100 going and 400 waiting', async () => {
    const event = await buildEvent(h.database.db, owner, { capacity: 100, waitlist_enabled: true });
    const results = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        submitRsvp(h.deps, event.id, { name: `Person ${i}`, email: `person${i}@picket.test`, role: 'attendee', note: '', locale: 'en' }),
      ),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    expect(await statusCounts(event.id)).toEqual({ going: 100, waitlisted: 400 });
  });

  test('over HTTP too: 300 simultaneous form posts to a picket for 50', async () => {
    const event = await buildEvent(h.database.db, owner, { capacity: 50, waitlist_enabled: true });
    const server = await serve(h.app);
    try {
      const page = await fetch(`${server.url}/events/${event.id}/rsvp`);
      const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
      const csrf = csrfFrom(await page.text());
      const responses = await Promise.all(
        Array.from({ length: 300 }, (_, i) =>
          fetch(`${server.url}/events/${event.id}/rsvp`, {
            method: 'POST',
            redirect: 'manual',
            headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
            body: new URLSearchParams({ _csrf: csrf, name: `H${i}`, email: `h${i}@picket.test`, role: 'attendee' }),
          }).then((r) => r.status),
        ),
      );
      expect(responses.every((s) => s === 303)).toBe(true);
      expect(await statusCounts(event.id)).toEqual({ going: 50, waitlisted: 250 });
    } finally {
      await server.close();
    }
  });
});
