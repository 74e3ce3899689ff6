// The only reader of process.env. Every setting, its default and its check live here;
// a bad value stops start-up with a message naming the setting.
import path from 'node:path';
import { z } from 'zod';
import { LOCALES } from './domain/enums';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max: number) =>
  z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(min).max(max);

const url = (protocols: string[]) =>
  z.string().refine((v) => {
    try {
      return protocols.includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, `must be a URL starting with ${protocols.map((p) => p + '//').join(' or ')}`);

const hourList = z
  .string()
  .regex(/^\s*\d+(\.\d+)?(\s*,\s*\d+(\.\d+)?)*\s*$/, 'must be a comma-separated list of hours, e.g. 24,3')
  .transform((v) => v.split(',').map((h) => Number(h.trim())));

/** Every setting, with its default. Keep `.env.example` and the README in step with this list. */
export const settings = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(0, 65535).default(3000),
  BASE_URL: url(['http:', 'https:']).optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  EMBEDDED_PG_PORT: int(1024, 65535).default(54329),
  /** `npm test` without TEST_DATABASE_URL: port of its embedded server, so two runs can be kept apart. */
  EMBEDDED_TEST_PG_PORT: int(1024, 65535).default(54339),
  DATABASE_POOL_MAX: int(1, 200).default(10),
  WORKER_POOL_MAX: int(2, 200).default(10),
  EXPECTED_PROCESSES: int(1, 1000).default(1),
  SMTP_URL: url(['smtp:', 'smtps:']).optional(),
  MAIL_FROM: z.string().min(3).default('Picket <picket@localhost>'),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  DEFAULT_LOCALE: z.enum(LOCALES).default('en'),
  // Off by default: the map draws Picket's own base map, and no visitor's address reaches a third party.
  TILE_URL: z.string().regex(/^https?:\/\/.+\{z\}.+\{x\}.+\{y\}/, 'must be a tile URL with {z}, {x} and {y}').optional(),
  TILE_ATTRIBUTION: z.string().default('&copy; OpenStreetMap contributors'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: bool.default(false),
  SECURE_COOKIES: bool.optional(),
  INVITE_TTL_HOURS: int(1, 24 * 30).default(72),
  PASSWORD_RESET_TTL_MINUTES: int(5, 24 * 60).default(60),
  LOGIN_RATE_LIMIT: int(1, 10000).default(10),
  LOGIN_ADDRESS_RATE_LIMIT: int(1, 10000).default(15),
  PASSWORD_RESET_RATE_LIMIT: int(1, 10000).default(10),
  PASSWORD_RESET_EMAILS_PER_HOUR: int(1, 100).default(3),
  RSVP_RATE_LIMIT: int(1, 100000).default(20),
  RSVP_RETENTION_DAYS: int(0, 3650).default(30),
  REMINDER_HOURS: hourList.default([24, 3]),
  // Local hosts' proposals (issue 17).
  PROPOSAL_RATE_LIMIT: int(1, 100000).default(10),
  PROPOSAL_EMAIL_RATE_LIMIT: int(1, 1000).default(3),
  PROPOSAL_RETENTION_DAYS: int(1, 3650).default(14),
  HOST_LINK_TTL_MINUTES: int(5, 24 * 60).default(60),
  UPLOAD_MAX_MB: int(1, 200).default(15),
  UPLOAD_RATE_LIMIT: int(1, 100000).default(30),
  UPLOAD_MAX_PIXELS: int(1_000_000, 1_000_000_000).default(100_000_000),
  WORKER: bool.default(true),
  // Public caches (README: "How fresh public pages are").
  PAGE_CACHE_SECONDS: int(1, 3600).default(60),
  RSVP_COUNT_SECONDS: int(1, 300).default(2),
  MAP_COUNT_SECONDS: int(1, 3600).default(60),
  PROXY_CACHE_SECONDS: int(0, 3600).default(5),
  PROXY_STALE_SECONDS: int(0, 3600).default(15),
  JOB_HEARTBEAT_SECONDS: int(1, 600).default(10),
  JOB_WORKER_TIMEOUT_SECONDS: int(2, 3600).default(30),
  JOB_SCHEDULE_SECONDS: int(1, 3600).default(60),
  REQUEST_TIMEOUT_SECONDS: int(5, 3600).default(600),
  UPLOAD_MIN_BYTES_PER_SECOND: int(0, 10_000_000).default(8192),
  UPLOAD_STALL_SECONDS: int(1, 600).default(10),
  S3_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a bucket name (lower-case letters, digits, dots and hyphens)').optional(),
  S3_ENDPOINT: url(['http:', 'https:']).optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_FORCE_PATH_STYLE: bool.default(false),
  ONION_URL: url(['http:', 'https:']).refine((v) => new URL(v).hostname.endsWith('.onion'), 'must be an .onion address').optional(),
  SEED_PASSWORD: z.string().min(10, 'must be at least 10 characters').optional(),
});

export type Config = Readonly<
  Omit<z.infer<typeof settings>, 'BASE_URL'> & {
    BASE_URL: string;
    /** Absolute path of DATA_DIR. */
    dataDir: string;
    secureCookies: boolean;
  }
>;

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Whether a bad value may be repeated in the error message. URLs can carry a password
 * (postgres://user:secret@host) even when malformed, and secrets are secrets: for those the
 * message names the setting and the problem only, since it ends up in logs and terminals.
 */
function mayEcho(name: string): boolean {
  return !/URL|SECRET|PASSWORD|KEY|TOKEN|CREDENTIAL/i.test(name);
}

/** Reads and checks settings from `env` (process.env by default); empty strings count as unset. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(
    Object.keys(settings.shape)
      .map((key) => [key, env[key]])
      .filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = settings.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      return `${issue.path.join('.')}: ${issue.message}${mayEcho(name) ? ` (got "${present[name]}")` : ''}`;
    }));
  }
  const values = parsed.data;
  if (Boolean(values.S3_ACCESS_KEY_ID) !== Boolean(values.S3_SECRET_ACCESS_KEY)) {
    throw new ConfigError(['S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY: set both or neither']);
  }
  const baseUrl = (values.BASE_URL ?? `http://${values.HOST}:${values.PORT}`).replace(/\/+$/, '');
  return Object.freeze({
    ...values,
    BASE_URL: baseUrl,
    dataDir: path.resolve(values.DATA_DIR),
    secureCookies: values.SECURE_COOKIES ?? baseUrl.startsWith('https:'),
  });
}

/** Loads `.env` (when present) into process.env without overriding what is already set. */
export function loadDotEnv(file = '.env'): void {
  try {
    process.loadEnvFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
