// Few uploads read at once: each is held in memory while it is checked, so a handful of slots
// bounds memory. A slot must not be hostage to a slow client, so bodies that arrive slower than a
// floor lose their slot (and are answered 408), and a waiting upload whose bytes are already here
// goes first when a slot frees. Hand-written: the rate-limit and queue packages count requests,
// none of them watches how fast a body arrives.
import type { Request, RequestHandler, Response } from 'express';

export interface SlotOptions {
  /** Bytes per second below which a body counts as stalled; 0 turns the check off. */
  minBytesPerSecond?: number;
  /** Over how long the rate is measured (and how long a stalled client may keep trying). */
  stallMs?: number;
  /** The text of the 408 answer. */
  message?: (req: Request) => string;
}

interface Entry {
  req: Request;
  res: Response;
  start: () => void;
  /** Bytes read from the socket, one sample a second, newest last. */
  samples: number[];
  holding: boolean;
}

const SAMPLE_MS = 1000;

/** The request's bytes are all here or fill its buffer: it is waiting on us, not on the client. */
function arrived(req: Request): boolean {
  return req.complete || req.readableLength >= req.readableHighWaterMark;
}

/** Lets `n` requests through at a time; a slot frees when the response ends, the client leaves, or its body stalls. */
export function fewAtATime(n: number, options: SlotOptions = {}): RequestHandler {
  const floor = options.minBytesPerSecond ?? 0;
  const window = Math.max(1, Math.round((options.stallMs ?? 10_000) / SAMPLE_MS));
  let active = 0;
  const waiting: Entry[] = [];
  const watched = new Set<Entry>();
  let timer: NodeJS.Timeout | undefined;

  const next = () => {
    // Uploads whose bytes have arrived go first; otherwise the longest waiting.
    const i = waiting.findIndex((e) => arrived(e.req));
    const entry = waiting.splice(i >= 0 ? i : 0, 1)[0];
    entry?.start();
  };

  const refuse = (entry: Entry) => {
    watched.delete(entry);
    const at = waiting.indexOf(entry);
    if (at >= 0) waiting.splice(at, 1);
    const { req, res } = entry;
    if (!res.headersSent) {
      res.writeHead(408, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
      res.end(options.message?.(req) ?? 'Request Timeout', () => req.socket?.destroy());
    } else {
      req.socket?.destroy();
    }
  };

  const check = () => {
    for (const entry of watched) {
      const { req } = entry;
      if (req.complete || req.destroyed) {
        watched.delete(entry);
        continue;
      }
      entry.samples.push(req.socket?.bytesRead ?? 0);
      if (entry.samples.length <= window) continue;
      entry.samples.shift();
      const received = entry.samples[entry.samples.length - 1] - entry.samples[0];
      if (received < floor * window && !(!entry.holding && arrived(req))) refuse(entry);
    }
    if (!watched.size) {
      clearInterval(timer);
      timer = undefined;
    }
  };

  const watch = (entry: Entry) => {
    if (floor <= 0 || !entry.req.socket) return;
    entry.samples = [entry.req.socket.bytesRead];
    watched.add(entry);
    timer ??= setInterval(check, SAMPLE_MS).unref();
  };

  return (req, res, nextMiddleware) => {
    const entry: Entry = {
      req,
      res,
      samples: [],
      holding: false,
      start: () => {
        // A client that left while waiting never gets its slot: its 'close' has already fired.
        if (req.destroyed || res.destroyed) return next();
        active++;
        entry.holding = true;
        watch(entry); // measured afresh from here: waiting was not its fault
        let released = false;
        const release = () => {
          if (released) return;
          released = true;
          watched.delete(entry);
          active--;
          next();
        };
        res.once('finish', release);
        res.once('close', release);
        nextMiddleware();
      },
    };
    if (active < n) return entry.start();
    waiting.push(entry);
    watch(entry);
  };
}
