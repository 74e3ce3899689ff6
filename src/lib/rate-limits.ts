// Rate limits counted in PostgreSQL (rate-limiter-flexible's Postgres store, table `rate_limits`
// from the migrations), so every app process behind a load balancer counts against the same limit.
// The package has no Express middleware of its own, hence the small limitRequests below.
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';

export interface LimitSpec {
  /** Keeps the counters of different limits apart ("login-address", "rsvp", ...). */
  name: string;
  points: number;
  seconds: number;
  /** Keys are stored as an HMAC with this secret: no address or e-mail is readable in the table. */
  secret: string;
}

export interface Limit {
  /** Counts one use of `key`; false when that goes over the limit. */
  take(key: string): Promise<boolean>;
  /** Gives one use back (an attempt that turned out not to count). */
  giveBack(key: string): Promise<void>;
  /** Whether `key` has already used up its limit (counts nothing). */
  spent(key: string): Promise<boolean>;
}

const limiters = new WeakMap<Knex, Map<string, RateLimiterPostgres>>();

function limiter(db: Knex, spec: LimitSpec): RateLimiterPostgres {
  let byName = limiters.get(db);
  if (!byName) limiters.set(db, (byName = new Map()));
  const id = `${spec.name}:${spec.points}:${spec.seconds}`;
  let found = byName.get(id);
  if (!found) {
    found = new RateLimiterPostgres({
      storeClient: db,
      storeType: 'knex',
      tableName: 'rate_limits',
      tableCreated: true,
      keyPrefix: spec.name,
      points: spec.points,
      duration: spec.seconds,
    });
    byName.set(id, found);
  }
  return found;
}

export function pgLimit(db: Knex, spec: LimitSpec): Limit {
  const store = limiter(db, spec);
  const hidden = (key: string) => crypto.createHmac('sha256', spec.secret).update(key).digest('base64url');
  return {
    async take(key) {
      try {
        await store.consume(hidden(key));
        return true;
      } catch (error) {
        if (error instanceof RateLimiterRes) return false;
        throw error;
      }
    },
    async giveBack(key) {
      await store.reward(hidden(key), 1);
    },
    async spent(key) {
      const res = await store.get(hidden(key));
      return res !== null && res.consumedPoints >= spec.points;
    },
  };
}

/**
 * A middleware that counts each request under `key(req)` and calls `refuse` once the limit is
 * spent. With `onlyFailures`, a request answered below 400 gives its use back (as
 * express-rate-limit's skipSuccessfulRequests did), so only failed log-ins count.
 */
export function limitRequests(
  db: Knex,
  spec: LimitSpec & {
    key: (req: Request) => string;
    refuse: (req: Request, res: Response) => void;
    onlyFailures?: boolean;
  },
): RequestHandler {
  const limit = pgLimit(db, spec);
  return async (req: Request, res: Response, next: NextFunction) => {
    const key = spec.key(req);
    if (!(await limit.take(key))) {
      res.set('Retry-After', String(spec.seconds));
      return spec.refuse(req, res);
    }
    if (spec.onlyFailures) {
      res.once('finish', () => {
        if (res.statusCode < 400) limit.giveBack(key).catch(() => undefined);
      });
    }
    next();
  };
}
