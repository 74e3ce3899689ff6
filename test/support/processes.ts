// Several real Picket processes, started as `npm start` starts one (node --import tsx
// src/server.ts), on one database and one bucket, behind a round-robin proxy: what the README's
// "Several servers" section describes, with nginx played by a few lines of node:http.
import { spawn, ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';

const repoRoot = path.resolve(__dirname, '../..');

export interface AppProcess {
  name: string;
  url: string;
  /** Every line the process logged so far. */
  output: string[];
  stop(): Promise<void>;
}

/** Starts one app process with `env` on a free port; resolves once it serves. */
export async function startAppProcess(name: string, env: Record<string, string>): Promise<AppProcess> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `picket-${name}-`));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${output.join('\n')}`)), 90_000);
    const read = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        output.push(line);
        const match = /Picket is running on (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}:\n${output.join('\n')}`));
    });
  });
  return {
    name,
    url,
    output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Proxy {
  url: string;
  /** Which process answered each request, in order. */
  served: string[];
  /** The address the proxy reports as the client's (X-Forwarded-For); change it to be someone else. */
  clientAddress: string;
  route(to: AppProcess[]): void;
  stop(): Promise<void>;
}

/**
 * A round-robin HTTP proxy: each request goes to the next process, with X-Forwarded-For as
 * nginx sets it. Written here because the test needs only this and to know who served what.
 */
export async function startProxy(): Promise<Proxy> {
  let backends: AppProcess[] = [];
  let next = 0;
  const served: string[] = [];
  const server = http.createServer((req, res) => {
    const backend = backends[next++ % backends.length];
    served.push(backend.name);
    const target = new URL(req.url!, backend.url);
    const upstream = http.request(target, { method: req.method, headers: { ...req.headers, 'x-forwarded-for': proxy.clientAddress } }, (answer) => {
      res.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      res.writeHead(502).end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxy: Proxy = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    served,
    clientAddress: '203.0.113.7',
    route: (to) => {
      backends = to;
    },
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  return proxy;
}

/**
 * A person's browser: keeps cookies across every process (they share the host, as behind one
 * load balancer), sends forms with the CSRF token of the page they come from.
 */
export class Browser {
  private cookies = new Map<string, string>();
  constructor(private readonly origin: string) {}

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    if (init.method === 'POST') {
      headers.set('origin', this.origin);
      headers.set('sec-fetch-site', 'same-origin');
    }
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const eq = pair.indexOf('=');
      const value = pair.slice(eq + 1);
      if (value && !/expires=Thu, 01 Jan 1970/i.test(cookie)) this.cookies.set(pair.slice(0, eq), value);
      else this.cookies.delete(pair.slice(0, eq));
    }
    return res;
  }

  /** GETs a page, following redirects as a browser does (e.g. /events/1 to /events/1-its-title). */
  async open(pageUrl: string): Promise<Response> {
    let url = pageUrl;
    let res = await this.fetch(url);
    for (let hops = 0; res.status >= 300 && res.status < 400 && hops < 5; hops++) {
      url = new URL(res.headers.get('location')!, url).href;
      res = await this.fetch(url);
    }
    return res;
  }

  /** The page's CSRF token; null where the form has none (anonymous forms are checked by origin). */
  async csrf(pageUrl: string): Promise<string | null> {
    const html = await (await this.open(pageUrl)).text();
    return /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? null;
  }

  /** GETs `page`, then POSTs `fields` to `action` (both absolute URLs) as the form would. */
  async submit(page: string, action: string, fields: Record<string, string>): Promise<Response> {
    const token = await this.csrf(page);
    const body = new URLSearchParams({ ...(token ? { _csrf: token } : {}), ...fields });
    return this.fetch(action, { method: 'POST', body });
  }

  async upload(page: string, action: string, fields: Record<string, string>, file: Buffer): Promise<Response> {
    const form = new FormData();
    const token = await this.csrf(page);
    if (token) form.set('_csrf', token);
    for (const [k, v] of Object.entries(fields)) form.set(k, v);
    form.set('files', new Blob([new Uint8Array(file)], { type: 'image/jpeg' }), 'IMG_0001.jpg');
    return this.fetch(action, { method: 'POST', body: form, headers: { accept: 'application/json' } });
  }
}
