// How many PostgreSQL connections the configured processes may open, against what the server
// allows: each process holds up to DATABASE_POOL_MAX for requests and, when it runs the worker,
// WORKER_POOL_MAX more (graphile-worker has its own pool). Too many processes and the server
// refuses connections on the busiest day, so start-up says so in the log.
import type { Knex } from 'knex';
import type { Config } from '../config';

export interface ConnectionBudget {
  perProcess: number;
  processes: number;
  needed: number;
  /** max_connections less those reserved for superusers. */
  available: number;
  fits: boolean;
}

type PoolSettings = Pick<Config, 'DATABASE_POOL_MAX' | 'WORKER_POOL_MAX' | 'WORKER' | 'EXPECTED_PROCESSES'>;

export function connectionsPerProcess(config: PoolSettings): number {
  return config.DATABASE_POOL_MAX + (config.WORKER ? config.WORKER_POOL_MAX : 0);
}

export async function connectionBudget(db: Knex, config: PoolSettings): Promise<ConnectionBudget> {
  const { rows } = await db.raw(
    "select current_setting('max_connections')::int as max, current_setting('superuser_reserved_connections')::int as reserved",
  );
  const available = rows[0].max - rows[0].reserved;
  const perProcess = connectionsPerProcess(config);
  const needed = perProcess * config.EXPECTED_PROCESSES;
  return { perProcess, processes: config.EXPECTED_PROCESSES, needed, available, fits: needed <= available };
}

/** The warning to log when the processes would need more connections than the server has, else null. */
export function budgetWarning(b: ConnectionBudget): string | null {
  if (b.fits) return null;
  return (
    `${b.processes} processes x ${b.perProcess} connections (DATABASE_POOL_MAX + WORKER_POOL_MAX) = ${b.needed}, ` +
    `but the database allows ${b.available} (max_connections less superuser_reserved_connections): ` +
    'lower the pool sizes, run fewer processes, or raise max_connections'
  );
}
