// What every benchmark needs around its measurements: a database of its own on a PostgreSQL server
// where it may create one, the app's server in a process of its own on a free port, and that
// process's memory and CPU time from /proc (Linux).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { withDatabase } from '../src/db/embedded';
import { createDb, migrate } from '../src/db/knex';
import { migrateQueue } from '../src/lib/queue';
import { createStorage, diskStorage, Storage } from '../src/lib/storage';
import { loadConfig } from '../src/config';
import { startS3 } from '../test/support/s3';

/** The repository's root: the server is started from there. */
export const repoRoot = path.resolve(__dirname, '..');

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** Runs one statement (e.g. `create database`) on its own connection to `url`. */
export async function runAdminSql(url: string, sql: string): Promise<void> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** The PostgreSQL server where benchmarks may create databases: BENCH_DATABASE_URL, else TEST_DATABASE_URL. */
export function benchServerUrl(): string {
  const url = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('set BENCH_DATABASE_URL or TEST_DATABASE_URL (a PostgreSQL server where the bench may create a database)');
  return url;
}

export type BenchDatabase = { name: string; url: string; drop: () => Promise<void> };

/** A new, empty database `name` on the bench server (dropped first if a previous run left it behind). */
export async function createBenchDatabase(name: string): Promise<BenchDatabase> {
  const serverUrl = benchServerUrl();
  await runAdminSql(serverUrl, `drop database if exists ${name} with (force)`);
  await runAdminSql(serverUrl, `create database ${name}`);
  return { name, url: withDatabase(serverUrl, name), drop: () => runAdminSql(serverUrl, `drop database if exists ${name} with (force)`) };
}

/** The app's migrations and graphile-worker's, as the server runs them at start-up (for seeding before it starts). */
export async function migrateDatabase(url: string): Promise<void> {
  const db = createDb(url, 2);
  try {
    await migrate(db);
  } finally {
    await db.destroy();
  }
  await migrateQueue(url);
}

/** A new temporary folder (the server's DATA_DIR); remove it with removeDir. */
export function makeTempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Resolves once `url` answers 2xx; throws after `ms`. */
export async function waitUntilUp(url: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server did not start: ${url}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export type BenchServer = {
  process: ChildProcess;
  pid: number;
  /** http://127.0.0.1:<port> */
  url: string;
  /** Resolves when GET /healthz answers. */
  ready: () => Promise<void>;
  /** SIGTERM, then waits for the process to exit. */
  stop: () => Promise<void>;
};

/** The V8 heap flags of `npm start` (package.json); a flag given again later on the command line wins. */
export const npmStartNodeFlags = ['--max-semi-space-size=4', '--max-old-space-size=192'];

export type ServerOptions = {
  databaseUrl: string;
  dataDir: string;
  /** Settings added to (or replacing) the common ones below. */
  env?: Record<string, string>;
  /**
   * What node runs before src/server.ts. The default, npm start's heap flags and `--import tsx`,
   * keeps the server in one process, so its /proc entry (memory, CPU) is the server's.
   */
  nodeArgs?: string[];
};

/**
 * Starts src/server.ts in production mode on a free port, with its output on this process's,
 * logging at `warn`, and the worker off. Call ready() before using it and stop() when done.
 */
export async function startServer(options: ServerOptions): Promise<BenchServer> {
  const port = await freePort();
  // The same V8 flags and malloc setting as `npm start`, so the figures are those of a real start.
  const child = spawn(process.execPath, [...(options.nodeArgs ?? [...npmStartNodeFlags, '--import', 'tsx']), 'src/server.ts'], {
    cwd: repoRoot,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env, MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2', NODE_ENV: 'production', DATABASE_URL: options.databaseUrl, PORT: String(port), HOST: '127.0.0.1',
      DATA_DIR: options.dataDir, LOG_LEVEL: 'warn', SESSION_SECRET: 'bench-secret-bench-secret-bench-secret-42', WORKER: 'false',
      ...options.env,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    process: child,
    pid: child.pid!,
    url,
    ready: () => waitUntilUp(`${url}/healthz`),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Resident memory of a process in MB (Linux), unrounded: `rss` now (VmRSS) and its peak so far (VmHWM). */
export function memoryMb(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** Peak resident memory of a process so far (VmHWM), in whole MB. */
export function peakRssMb(pid: number): number {
  return Math.round(memoryMb(pid).peak);
}

/** CPU time (user + system) a process has used so far, in ms (Linux; utime and stime in ticks of 1/100 s). */
export function cpuTimeMs(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** After a run: stops the server, drops its database and removes its data folder. */
export async function cleanUp(server: BenchServer, database: BenchDatabase, dataDir: string): Promise<void> {
  await server.stop();
  await database.drop();
  removeDir(dataDir);
}

/** Runs a benchmark's main function; an error is printed and exits with status 1. */
export function runBenchmark(main: () => Promise<void>): void {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

export type BenchStorage = { kind: 'disk' | 'bucket'; env: Record<string, string>; storage: Storage; stop(): Promise<void> };

/**
 * Where the server keeps files: DATA_DIR/uploads, or with BENCH_STORAGE=bucket a bucket on a
 * local S3 server (s3rver, as in the tests), started in this process, so it shares the machine.
 */
export async function benchStorage(dataDir: string): Promise<BenchStorage> {
  if (process.env.BENCH_STORAGE !== 'bucket') {
    return { kind: 'disk', env: {}, storage: diskStorage(path.join(dataDir, 'uploads')), stop: async () => {} };
  }
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'; // see the README's note on Node 20
  const s3 = await startS3('picket-bench');
  const env = { ...s3.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  const storage = createStorage(loadConfig({ ...env, DATA_DIR: dataDir }));
  return {
    kind: 'bucket',
    env,
    storage,
    async stop() {
      storage.close?.();
      await s3.stop();
    },
  };
}

/** The day's ceiling: a bare Express 5 app answering a 1 KB JSON (bench/day/ceiling.ts) in a process of its own. */
export async function startCeiling(): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/day/ceiling.ts'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
    child.once('exit', () => reject(new Error('the ceiling app did not start')));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { url: `http://127.0.0.1:${port}`, pid: child.pid!, stop: async () => { child.kill('SIGTERM'); await exited; } };
}
