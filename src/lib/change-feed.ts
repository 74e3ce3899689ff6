// One dedicated connection per process that LISTENs for change notifications (NOTIFY sent by
// triggers at commit), so caches in memory hear of every write from every process and a cache hit
// needs no query. Written over `pg` directly: LISTEN needs one long-lived connection outside any
// pool, and the reconnect rules below (drop everything, back off) are the point of this file.
// When the connection fails, notifications may be lost: subscribers are told to forget everything
// (reset), and `listening` stays false until LISTEN is back, so caches answer nothing meanwhile.
import { Client } from 'pg';
import type { Logger } from './log';

export interface ChangeFeed {
  /** True while the connection listens: only then may a cache trust what it holds. */
  readonly listening: boolean;
  /** `onChange` gets every payload; `onReset` is called when notifications may have been missed. */
  subscribe(onChange: (payload: string) => void, onReset: () => void): () => void;
  /** Resolves once every change committed before the call has been heard (or rejects after `ms`). */
  sync(ms?: number): Promise<void>;
  close(): Promise<void>;
}

export interface ChangeFeedOptions {
  connectionString: string;
  channel: string;
  logger: Logger;
  /** Waits between reconnection attempts: doubled from `minDelayMs` up to `maxDelayMs`. */
  minDelayMs?: number;
  maxDelayMs?: number;
}

const SYNC_PREFIX = '\u0001sync:';

export function listenForChanges(options: ChangeFeedOptions): ChangeFeed & { ready: Promise<void> } {
  const { channel, logger } = options;
  const minDelay = options.minDelayMs ?? 100;
  const maxDelay = options.maxDelayMs ?? 5_000;
  const subscribers = new Set<{ onChange: (payload: string) => void; onReset: () => void }>();
  const waiting = new Map<string, () => void>();
  let client: Client | undefined;
  let listening = false;
  let closed = false;
  let delay = minDelay;
  let timer: NodeJS.Timeout | undefined;
  let syncs = 0;
  let queries: Promise<void> = Promise.resolve();
  let markReady: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const reset = () => {
    for (const s of subscribers) s.onReset();
  };

  const lost = (error?: Error) => {
    const was = client;
    client = undefined;
    if (listening && error) logger.warn({ err: error }, 'change notifications lost; caches are off until they are back');
    listening = false;
    reset();
    was?.removeAllListeners();
    was?.on('error', () => {});
    void was?.end().catch(() => {});
    if (closed) return;
    timer = setTimeout(connect, delay);
    timer.unref();
    delay = Math.min(maxDelay, delay * 2);
  };

  async function connect() {
    if (closed) return;
    const c = new Client({ connectionString: options.connectionString, application_name: 'picket-listener', keepAlive: true });
    client = c;
    c.on('error', (error) => client === c && lost(error));
    c.on('end', () => client === c && lost(new Error('connection ended')));
    c.on('notification', (message) => {
      const payload = message.payload ?? '';
      if (payload.startsWith(SYNC_PREFIX)) {
        waiting.get(payload)?.();
        waiting.delete(payload);
        return;
      }
      for (const s of subscribers) s.onChange(payload);
    });
    try {
      await c.connect();
      await c.query(`listen "${channel.replace(/"/g, '')}"`);
      if (client !== c) return;
      // Whatever was cached before this point may have missed a notification.
      reset();
      listening = true;
      delay = minDelay;
      markReady();
    } catch (error) {
      if (client === c) lost(error as Error);
    }
  }
  void connect();

  return {
    ready,
    get listening() {
      return listening;
    },
    subscribe(onChange, onReset) {
      const s = { onChange, onReset };
      subscribers.add(s);
      return () => void subscribers.delete(s);
    },
    async sync(ms = 5_000) {
      await ready;
      // Reconnecting (after a database restart): wait for it within the same time limit.
      const deadline = Date.now() + ms;
      while (!listening && !closed && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      const c = listening ? client : undefined;
      if (!c) throw new Error('change feed: not connected');
      // Notifications of different transactions arrive in commit order: when our own comes
      // back, every one committed before it has arrived too.
      const payload = `${SYNC_PREFIX}${process.pid}:${++syncs}`;
      const heard = new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => (waiting.delete(payload), reject(new Error('change feed: sync timed out'))), Math.max(1, deadline - Date.now()));
        waiting.set(payload, () => (clearTimeout(t), resolve()));
      });
      heard.catch(() => {}); // awaited below, unless sending fails first
      // One query at a time on this connection (pg warns about queued queries).
      const sent = (queries = queries.then(() => c.query('select pg_notify($1, $2)', [channel, payload])).then(() => {}));
      queries = sent.catch(() => {});
      await sent;
      await heard;
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      const c = client;
      client = undefined;
      listening = false;
      await c?.end().catch(() => {});
    },
  };
}

/** A feed that never listens: every cache stays off (for tools that build an app without one). */
export const noChangeFeed: ChangeFeed = {
  listening: false,
  subscribe: () => () => {},
  sync: async () => {},
  close: async () => {},
};
