import pino, { Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/** JSON lines (for log collectors) unless `pretty`: coloured, readable lines for a terminal. */
export function createLogger(level: string, options: { pretty?: boolean } = {}): Logger {
  const settings = {
    level,
    // Never log what could identify a person.
    redact: { paths: ['req.headers.cookie', 'req.headers.authorization', '*.email', '*.password', '*.token'], censor: '[redacted]' },
  };
  // pino-pretty as a stream in this thread (not a transport worker), so the last lines written
  // while stopping are never lost.
  return options.pretty ? pino(settings, pretty({ sync: true, ignore: 'pid,hostname', translateTime: 'SYS:HH:MM:ss' })) : pino(settings);
}
