// Address parameters shared by routers (kept apart so routers need not import each other).

/** "12" or "12-picket-at-the-embassy" gives 12. */
export function eventIdParam(value: unknown): number {
  const match = /^(\d{1,9})(-[a-z0-9-]*)?$/i.exec(String(value));
  return match ? Number(match[1]) : NaN;
}
