// `npm start` as a person runs it, stopped as a terminal or a service manager would: SIGTERM or
// SIGINT to npm alone, or to the whole process group (Ctrl-C reaches the embedded PostgreSQL too).
// Afterwards nothing of Picket may be left running and nothing may have been logged as an error.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawn, ChildProcess } from 'node:child_process';

const root = path.resolve(__dirname, '..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-start-'));
fs.chmodSync(dataDir, 0o755); // run as root, postgres runs as the postgres user and must reach it

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Started {
  npm: ChildProcess;
  output: () => { stdout: string; stderr: string };
  exited: Promise<number | null>;
}

async function npmStart(env: Record<string, string>): Promise<Started> {
  let stdout = '';
  let stderr = '';
  // detached: npm leads a process group of its own, as in a terminal.
  const npm = spawn('npm', ['start'], {
    cwd: root,
    detached: true,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? os.tmpdir(), NODE_ENV: 'production', LOG_LEVEL: 'info', ...env },
  });
  npm.stdout!.on('data', (chunk) => (stdout += chunk));
  npm.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 90_000;
  while (!stdout.includes('Picket is running')) {
    if (npm.exitCode !== null || Date.now() > deadline) throw new Error(`npm start did not start:\n${stdout}\n${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { npm, exited, output: () => ({ stdout, stderr }) };
}

/** Processes whose command line mentions `needle` (e.g. postgres -D <dataDir>), or that are in `group`. */
function leftRunning(needle: string, group: number): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z') continue; // exited, waiting for its parent to read its status
      if (cmdline.includes(needle) || Number(pgrp) === group) found.push(`${pid} ${state} ${cmdline}`);
    } catch {
      // gone while we looked
    }
  }
  return found;
}

/** Log lines at error level or worse (pino's JSON: level 50 and up), and anything that is not a log line. */
function complaints(stdout: string, stderr: string): string[] {
  const bad: string[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue; // npm's "> picket@0.1.0 start" banner
    const entry = JSON.parse(line) as { level: number; msg: string };
    if (entry.level >= 50) bad.push(line);
  }
  for (const line of stderr.split('\n')) if (line.trim()) bad.push(`stderr: ${line}`);
  return bad;
}

const cases: Array<{ signal: NodeJS.Signals; to: 'npm' | 'group' }> = [
  { signal: 'SIGTERM', to: 'npm' },
  { signal: 'SIGINT', to: 'npm' },
  { signal: 'SIGTERM', to: 'group' },
  { signal: 'SIGINT', to: 'group' },
];

describe('npm start with the embedded PostgreSQL', () => {
  let pgPort: number;
  beforeAll(async () => {
    pgPort = await freePort();
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  test.each(cases)('$signal to $to stops Picket and its database cleanly', async ({ signal, to }) => {
    const started = await npmStart({ DATA_DIR: dataDir, PORT: String(await freePort()), EMBEDDED_PG_PORT: String(pgPort) });
    const pid = started.npm.pid!;
    try {
      // The app answers before it is stopped.
      const port = /127\.0\.0\.1:(\d+)/.exec(started.output().stdout)![1];
      expect((await fetch(`http://127.0.0.1:${port}/healthz`, { headers: { connection: 'close' } })).status).toBe(200);

      process.kill(to === 'group' ? -pid : pid, signal);
      const code = await Promise.race([started.exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 30_000).unref())]);
      const { stdout, stderr } = started.output();
      expect(code).toBe(0);
      expect(stdout).toContain('"msg":"stopped"');
      expect(complaints(stdout, stderr)).toEqual([]);
      expect(leftRunning(dataDir, pid)).toEqual([]);
    } finally {
      for (const line of leftRunning(dataDir, pid)) process.kill(Number(line.split(' ')[0]), 'SIGKILL');
    }
  }, 150_000);
});
