import pino, { Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({
    level,
    // Never log what could identify a person.
    redact: { paths: ['req.headers.cookie', 'req.headers.authorization', '*.email', '*.password', '*.token'], censor: '[redacted]' },
  });
}
