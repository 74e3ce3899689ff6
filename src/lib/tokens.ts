import crypto from 'node:crypto';

/** A long, random, URL-safe secret (256 bits). */
export function newToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

/** What we store for e-mailed one-time tokens: a database leak does not reveal usable links. */
export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}
