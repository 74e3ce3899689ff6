// The real app as `npm start` runs it (node --import tsx src/server.ts), in a process of its own on
// a free port, so tests can kill it (-9), restart it and watch it through a database outage.
import { ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

export interface AppProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote (pino JSON lines and anything else). */
  output(): string;
  /** Whether the process is still running. */
  alive(): boolean;
  /** kill -9: no clean-up of any kind. */
  crash(): Promise<void>;
  /** SIGTERM, as an operator stops it. */
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function waitUntil(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000, stepMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await Promise.resolve().then(check).catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}

/** Starts the app with these settings (DATABASE_URL, SMTP_URL, ...) and waits until it answers. */
export async function startAppProcess(env: Record<string, string>, opts: { onOutput?: (text: string) => void } = {}): Promise<AppProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      BASE_URL: 'http://picket.test',
      LOG_LEVEL: 'info',
      SESSION_SECRET: 'test-secret-that-is-long-enough-for-signing-cookies',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const heard = (chunk: Buffer) => {
    output += chunk;
    opts.onOutput?.(String(chunk));
  };
  child.stdout!.on('data', heard);
  child.stderr!.on('data', heard);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const alive = () => child.exitCode === null && child.signalCode === null;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (!alive()) throw new Error(`the app exited at start:\n${output}`);
    if ((await fetch(`${url}/healthz`).catch(() => null))?.status === 200) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the app did not start within 90 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    child,
    output: () => output,
    alive,
    async crash() {
      if (alive()) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (alive()) child.kill('SIGTERM');
      await exited;
    },
  };
}
