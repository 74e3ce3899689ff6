// What PostgreSQL's errors mean for the app. A check-then-insert can always lose a race against
// another request; the unique index then refuses the row, and the service turns that into the
// same field message the check gives.

/** True when `error` is a unique violation (SQLSTATE 23505), of `constraint` when given. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: string; constraint?: string } | null;
  return Boolean(e && e.code === '23505' && (constraint === undefined || e.constraint === constraint));
}
