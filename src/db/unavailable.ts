// Is this error the database being out of reach (restarting, refusing connections, a dropped
// connection), rather than a bug? Those answer 503 "back soon" instead of 500.
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// PostgreSQL: connection exceptions (08...), shutting down or starting (57P01-57P03), too many
// connections (53300), and a database that refuses connections (55000 with that message).
const SERVER = new Set(['57P01', '57P02', '57P03', '53300']);

export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 3) return false;
  const { code, message, name, cause } = error as { code?: unknown; message?: unknown; name?: unknown; cause?: unknown };
  if (typeof code === 'string' && (NETWORK.has(code) || SERVER.has(code) || code.startsWith('08'))) return true;
  if (code === '55000' && /not currently accepting connections/.test(String(message))) return true;
  if (name === 'KnexTimeoutError') return true; // no connection could be had in time
  if (/Connection terminated|terminating connection|connection timeout/i.test(String(message))) return true;
  return isDatabaseUnavailable(cause, depth + 1);
}
