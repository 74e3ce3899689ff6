// Which cached things are still current, by tag ("event:12", "campaign:3"). Every change heard
// gets the next number of one counter and stamps its tags with it; something built from data read
// after number N is fresh while none of its tags carries a number above N. The number is taken
// before the data is read, so a change that lands during a render makes that render stale.

export class Freshness {
  private counter = 0;
  private resetAt = 0;
  private changed = new Map<string, number>();

  /** Take this before reading the data a cached thing is built from. */
  now(): number {
    return this.counter;
  }

  /** The tags changed (a notification arrived). */
  touch(tags: readonly string[]): void {
    this.counter++;
    for (const tag of tags) this.changed.set(tag, this.counter);
  }

  /** Anything may have changed (notifications were missed, or something shown everywhere changed). */
  reset(): void {
    this.resetAt = ++this.counter;
    this.changed.clear();
  }

  isFresh(tags: readonly string[], since: number): boolean {
    if (since < this.resetAt) return false;
    for (const tag of tags) if ((this.changed.get(tag) ?? 0) > since) return false;
    return true;
  }
}
