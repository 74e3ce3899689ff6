// The durable job queue (graphile-worker, in PostgreSQL), wrapped so that it outlives crashes and
// database outages. It knows nothing of what the jobs do: callers pass their tasks and schedule.
//
// - Crash recovery: every worker renews a heartbeat in `job_workers`; each beat also releases the
//   jobs locked by workers whose heartbeat stopped (a killed process), so those jobs run again
//   within a minute. graphile-worker by itself only frees them after four hours.
// - Outages: nothing here rejects unhandled or emits an unhandled 'error'. The worker pool retries
//   by itself; a pool that lost workers (graphile-worker retires a worker that cannot record a
//   finished job) is replaced; the recurring loops retry with backoff.
// - Schedule: a small loop of our own instead of graphile-worker's cron, whose runner stops with an
//   unhandled rejection when the database is unreachable at the top of a minute. Each beat queues
//   the recurring tasks under a job key, so several processes queue each task once.
import { EventEmitter } from 'node:events';
import pg from 'pg';
import {
  parseCrontab,
  runMigrations,
  runOnce,
  runTaskList,
  Logger as WorkerLogger,
  ParsedCronItem,
  TaskList,
  WorkerEvents,
  WorkerPool,
} from 'graphile-worker';
import type { Logger } from './log';

/** A recurring task: queued on every beat of the schedule, or at the times of a crontab line (UTC). */
export type Recurring = { task: string; every: 'beat' } | { task: string; cron: string };

export interface QueueOptions {
  databaseUrl: string;
  tasks: TaskList;
  recurring: Recurring[];
  /** Tasks queued once when the queue starts (e.g. clean-ups after a crash). */
  atStart: string[];
  concurrency: number;
  /** Connections the queue may open (WORKER_POOL_MAX); at least concurrency + 2. */
  poolMax: number;
  /** How often workers renew their heartbeat and release the jobs of workers gone silent. */
  heartbeatMs: number;
  /** A worker silent this long is presumed dead: its jobs are released. */
  workerTimeoutMs: number;
  /** How often recurring tasks are queued. */
  scheduleMs: number;
  logger: Logger;
}

export interface Queue {
  /** Finishes running jobs, then stops (within about 10 s). */
  stop(): Promise<void>;
}

/** How often idle workers look for jobs (new jobs also wake them at once through LISTEN/NOTIFY). */
const POLL_MS = 2000;

function workerLogger(logger: Logger): WorkerLogger {
  return new WorkerLogger((scope) => (level, message, meta) => {
    const method = level === 'error' ? 'error' : level === 'warning' ? 'warn' : 'debug';
    logger[method]({ ...scope, ...meta }, message);
  });
}

export async function migrateQueue(databaseUrl: string): Promise<void> {
  await runMigrations({ connectionString: databaseUrl });
}

/** Runs every job that is due now, then returns: for tests and one-off commands. */
export async function runDueJobs(databaseUrl: string, tasks: TaskList, logger: Logger): Promise<void> {
  await runOnce({ connectionString: databaseUrl, taskList: tasks, logger: workerLogger(logger) });
}

/**
 * Calls `beat` every `intervalMs`, never overlapping. A failed beat is retried sooner (0.5 s,
 * 1 s, 2 s, ... up to the interval), so work resumes soon after the database returns.
 */
export function every(intervalMs: number, beat: () => Promise<void>, onError: (error: unknown, failures: number) => void) {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let failures = 0;
  let running: Promise<void> = Promise.resolve();
  const run = () => {
    running = beat().then(
      () => {
        failures = 0;
        return intervalMs;
      },
      (error) => {
        failures++;
        onError(error, failures);
        return Math.min(intervalMs, 500 * 2 ** (failures - 1));
      },
    ).then((delay) => {
      if (!stopped) timer = setTimeout(run, delay);
    });
  };
  run();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

/** The next time (to the minute, UTC) after `after` that a crontab line matches, within 8 days. */
export function nextCronTime(item: ParsedCronItem, after: Date): Date | null {
  const t = new Date(after);
  t.setUTCSeconds(0, 0);
  for (let i = 0; i < 8 * 24 * 60; i++) {
    t.setUTCMinutes(t.getUTCMinutes() + 1);
    const digest = { min: t.getUTCMinutes(), hour: t.getUTCHours(), date: t.getUTCDate(), month: t.getUTCMonth() + 1, dow: t.getUTCDay() };
    if (item.match(digest)) return t;
  }
  return null;
}

/** Starts workers, heartbeats and the schedule; returns at once (everything retries in the background). */
export function startQueue(options: QueueOptions): Queue {
  const { logger } = options;
  const log = logger.child({ component: 'queue' });
  // A pool of our own: every client gets an 'error' listener, so a connection the server drops
  // between two queries cannot crash the process.
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: Math.max(options.poolMax, options.concurrency + 2),
    application_name: 'picket-worker',
    connectionTimeoutMillis: 10_000,
  });
  pool.on('error', (error) => log.warn({ err: error.message }, 'idle job queue connection lost'));
  pool.on('connect', (client) => client.on('error', (error) => log.warn({ err: error.message }, 'job queue connection lost')));

  const events: WorkerEvents = new EventEmitter() as WorkerEvents;
  const live = new Set<string>();
  events.on('worker:create', ({ worker }) => live.add(worker.workerId));
  events.on('worker:stop', ({ worker }) => live.delete(worker.workerId));
  events.on('worker:fatalError', ({ worker }) => live.delete(worker.workerId));

  let workers: WorkerPool | undefined;
  let poolWorkers = new Set<string>();
  const startWorkers = () => {
    const before = new Set(live);
    workers = runTaskList(
      { concurrency: options.concurrency, noHandleSignals: true, pollInterval: POLL_MS, logger: workerLogger(logger), events },
      options.tasks,
      pool,
    );
    workers.promise.catch((error) => log.error({ err: error }, 'job worker pool stopped'));
    poolWorkers = new Set([...live].filter((id) => !before.has(id)));
  };
  startWorkers();

  // When the pool's workers last found (or looked for) a job, and last failed to.
  let lastPollOk = Date.now();
  let lastPollError = 0;
  events.on('worker:getJob:empty', ({ worker }) => poolWorkers.has(worker.workerId) && (lastPollOk = Date.now()));
  events.on('job:start', ({ worker }) => poolWorkers.has(worker.workerId) && (lastPollOk = Date.now()));
  events.on('worker:getJob:error', ({ worker }) => poolWorkers.has(worker.workerId) && (lastPollError = Date.now()));
  let reachableSince: number | undefined;

  /**
   * Replaces the worker pool when it lost workers (graphile-worker retires a worker that cannot
   * record a finished job, and does not replace it), or when its workers keep failing while the
   * database answers us (a pool whose first look-up of task names failed keeps that failure
   * cached for good). Only called once the database answers, so the new pool starts healthy.
   */
  const replaceBrokenWorkers = () => {
    const lost = [...poolWorkers].some((id) => !live.has(id));
    const stuck = reachableSince !== undefined && lastPollError > reachableSince && lastPollError > lastPollOk;
    if (!lost && !stuck) return;
    log.warn({ lost, stuck }, 'job workers were lost; starting new ones');
    const old = workers!;
    void old.gracefulShutdown('replaced').catch((error) => log.warn({ err: error }, 'old job workers did not stop cleanly'));
    startWorkers();
    lastPollOk = Date.now();
  };

  const heartbeat = every(
    options.heartbeatMs,
    async () => {
      try {
        await pool.query(
          `insert into job_workers (worker_id) select unnest($1::text[])
             on conflict (worker_id) do update set heartbeat_at = now()`,
          [[...live]],
        );
      } catch (error) {
        reachableSince = undefined;
        throw error;
      }
      reachableSince ??= Date.now();
      replaceBrokenWorkers();
      // Jobs locked a while ago by workers without a recent heartbeat: their process is gone.
      const { rows } = await pool.query<{ locked_by: string }>(
        `with silent as (
           select distinct locked_by from graphile_worker._private_jobs
            where locked_by is not null and locked_at < now() - $1 * interval '1 millisecond'
           union
           select distinct locked_by from graphile_worker._private_job_queues
            where locked_by is not null and locked_at < now() - $1 * interval '1 millisecond'
         )
         select locked_by from silent
          where not exists (select 1 from job_workers w where w.worker_id = silent.locked_by
                              and w.heartbeat_at > now() - $1 * interval '1 millisecond')`,
        [options.workerTimeoutMs],
      );
      if (rows.length) {
        const ids = rows.map((r) => r.locked_by);
        await pool.query('select graphile_worker.force_unlock_workers($1::text[])', [ids]);
        log.warn({ workers: ids }, 'released the jobs of job workers that stopped');
      }
      await pool.query(`delete from job_workers where heartbeat_at < now() - $1 * interval '1 millisecond'`, [options.workerTimeoutMs]);
    },
    (error, failures) => log.warn({ err: String(error), failures }, 'job heartbeat failed; retrying'),
  );

  const crons = options.recurring.flatMap((r) =>
    'cron' in r ? [{ task: r.task, item: parseCrontab(`${r.cron} ${r.task}`)[0] }] : [],
  );
  const beats = options.recurring.filter((r) => 'every' in r).map((r) => r.task);
  let pendingAtStart = [...options.atStart];
  const schedule = every(
    options.scheduleMs,
    async () => {
      const now = new Date();
      const jobs: { task: string; runAt: Date; mode: 'replace' | 'preserve_run_at' }[] = [
        ...pendingAtStart.map((task) => ({ task, runAt: now, mode: 'replace' as const })),
        ...beats.map((task) => ({ task, runAt: now, mode: 'replace' as const })),
        // The next time of each crontab task, queued ahead: should every process be down then,
        // the job is still there and runs as soon as one is back.
        ...crons.flatMap(({ task, item }) => {
          const runAt = nextCronTime(item, now);
          return runAt && !pendingAtStart.includes(task) ? [{ task, runAt, mode: 'preserve_run_at' as const }] : [];
        }),
      ];
      await pool.query(
        `select graphile_worker.add_job(task, run_at => run_at, job_key => task, job_key_mode => mode, max_attempts => 5)
           from unnest($1::text[], $2::timestamptz[], $3::text[]) as j(task, run_at, mode)`,
        [jobs.map((j) => j.task), jobs.map((j) => j.runAt), jobs.map((j) => j.mode)],
      );
      pendingAtStart = [];
    },
    (error, failures) => log.warn({ err: String(error), failures }, 'scheduling recurring jobs failed; retrying'),
  );

  return {
    async stop() {
      await Promise.all([heartbeat.stop(), schedule.stop()]);
      await Promise.race([
        workers?.gracefulShutdown('stopping').catch((error) => log.warn({ err: error }, 'job workers did not stop cleanly')),
        new Promise((resolve) => setTimeout(resolve, 10_000).unref()),
      ]);
      // Others need not wait for our heartbeat to expire.
      await pool.query('delete from job_workers where worker_id = any($1::text[])', [[...poolWorkers]]).catch(() => undefined);
      await pool.end().catch(() => undefined);
    },
  };
}
