// How many are going to a picket, for the public: read at most once per `refreshMs` per picket
// however many RSVPs arrive, so an RSVP stream never throws away the event page's HTML. The page
// shows the count as of its render (with that time) and its script fills in this fresher one.
// Only a change of the form's state (open, full, waitlist) makes the cached page stale.
import type { AppDeps } from '../deps';
import type { RsvpState } from '../domain/enums';
import type { Freshness } from '../lib/freshness';
import { presentCountsJson, presentPublicCounts } from '../presenters/rsvps';
import * as q from '../queries/rsvps';

/** The form's state is the picket's RSVP state, as the SQL function rsvp_state answers it. */
export type FormState = RsvpState;

export interface PublicCounts {
  going: number;
  waitlisted: number;
  capacity: number | null;
  spotsLeft: number | null;
  state: FormState;
  /** When these counts were read. */
  asOf: Date;
}

interface Entry {
  counts: PublicCounts;
  /** Freshness number taken before the read. */
  since: number;
  refreshing?: Promise<PublicCounts | undefined>;
}

/** Tags of a picket's counts and of its form's state (in the page cache). */
export const countTags = (eventId: number) => [`rsvps:${eventId}`, `event:${eventId}`];
export const formTag = (eventId: number) => `rsvp-form:${eventId}`;

export class CountCache {
  private entries = new Map<number, Entry>();

  constructor(
    private readonly deps: Pick<AppDeps, 'db' | 'clock'>,
    private readonly freshness: Freshness,
    private readonly listening: () => boolean,
    private readonly refreshMs: number,
    private readonly maxEntries = 5_000,
  ) {}

  /** The counts of a public picket (undefined for a draft or a missing one), at most refreshMs old. */
  async get(eventId: number): Promise<PublicCounts | undefined> {
    const entry = this.entries.get(eventId);
    if (entry && this.usable(eventId, entry)) return entry.counts;
    return this.refresh(eventId);
  }

  /** On a cached page's hit: refresh in the background when due, so the form's state follows. */
  touch(eventId: number): void {
    const entry = this.entries.get(eventId);
    if (entry && !this.usable(eventId, entry)) void this.refresh(eventId).catch(() => {});
  }

  /** What a render read (it took `since` before reading): saves a query for the first poll. */
  remember(eventId: number, counts: Omit<PublicCounts, 'asOf'>, since: number): void {
    if (this.entries.has(eventId) || !this.listening()) return;
    this.put(eventId, { counts: { ...counts, asOf: this.deps.clock.now() }, since });
  }

  forget(): void {
    this.entries.clear();
  }

  private usable(eventId: number, entry: Entry): boolean {
    if (!this.listening()) return false;
    if (this.freshness.isFresh(countTags(eventId), entry.since)) return true;
    return this.deps.clock.now().getTime() - entry.counts.asOf.getTime() < this.refreshMs;
  }

  /** One read at a time per picket; callers meanwhile share it. */
  private refresh(eventId: number): Promise<PublicCounts | undefined> {
    const entry = this.entries.get(eventId);
    if (entry?.refreshing) return entry.refreshing;
    const since = this.freshness.now();
    const reading = (async () => {
      const event = await q.findEvent(this.deps.db, eventId);
      if (!event || event.status === 'draft') {
        this.entries.delete(eventId);
        return undefined;
      }
      const now = this.deps.clock.now();
      const [raw, state] = await Promise.all([q.counts(this.deps.db, eventId), q.state(this.deps.db, eventId, now)]);
      const counts: PublicCounts = { ...presentPublicCounts(raw, event), state: state ?? 'draft', asOf: now };
      const before = this.entries.get(eventId)?.counts.state;
      if (before && before !== counts.state) this.freshness.touch([formTag(eventId)]);
      this.put(eventId, { counts, since });
      return counts;
    })();
    if (entry) entry.refreshing = reading;
    reading.finally(() => { if (entry) entry.refreshing = undefined; }).catch(() => {});
    return reading;
  }

  private put(eventId: number, entry: Entry) {
    if (!this.entries.has(eventId) && this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(eventId, entry);
  }
}

/** What the event page's script reads: the counts, worded in the visitor's language. */
export function countsForScript(counts: PublicCounts, t: Parameters<typeof presentCountsJson>[1]) {
  return presentCountsJson(counts, t);
}
