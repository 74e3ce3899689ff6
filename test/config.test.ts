import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ConfigError, loadConfig } from '../src/config';

describe('settings', () => {
  test('defaults make a working local setup', () => {
    const config = loadConfig({});
    expect(config.HOST).toBe('127.0.0.1');
    expect(config.PORT).toBe(3000);
    expect(config.BASE_URL).toBe('http://127.0.0.1:3000');
    expect(config.DATA_DIR).toBe('./data');
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.RSVP_RETENTION_DAYS).toBe(30);
    expect(config.REMINDER_HOURS).toEqual([24, 3]);
    expect(config.UPLOAD_MAX_MB).toBe(15);
    expect(Object.isFrozen(config)).toBe(true);
  });

  test('npm test’s embedded PostgreSQL takes its port from EMBEDDED_TEST_PG_PORT, with a data folder per port, so two runs never meet', () => {
    expect(loadConfig({}).EMBEDDED_TEST_PG_PORT).toBe(54339);
    expect(() => loadConfig({ EMBEDDED_TEST_PG_PORT: '80' })).toThrow(/EMBEDDED_TEST_PG_PORT/);
    const testServer = (port: string | undefined) => {
      const saved = process.env.EMBEDDED_TEST_PG_PORT;
      let found: { EMBEDDED_TEST_PORT: number; embeddedTestDir: string } | undefined;
      try {
        if (port === undefined) delete process.env.EMBEDDED_TEST_PG_PORT;
        else process.env.EMBEDDED_TEST_PG_PORT = port;
        jest.isolateModules(() => { found = require('./support/server-url'); });
      } finally {
        if (saved === undefined) delete process.env.EMBEDDED_TEST_PG_PORT;
        else process.env.EMBEDDED_TEST_PG_PORT = saved;
      }
      return { port: found!.EMBEDDED_TEST_PORT, dir: path.relative(path.resolve(__dirname, '..'), found!.embeddedTestDir) };
    };
    expect(testServer(undefined)).toEqual({ port: 54339, dir: path.join('data', 'test-postgres') });
    expect(testServer('55432')).toEqual({ port: 55432, dir: path.join('data', 'test-postgres-55432') });
  });

  test('each bad value is refused with a message naming the setting', () => {
    const cases: [Record<string, string>, string][] = [
      [{ PORT: 'abc' }, 'PORT'],
      [{ PORT: '70000' }, 'PORT'],
      [{ DATABASE_URL: 'mysql://localhost/picket' }, 'DATABASE_URL'],
      [{ SMTP_URL: 'not a url' }, 'SMTP_URL'],
      [{ BASE_URL: 'ftp://example.org' }, 'BASE_URL'],
      [{ SESSION_SECRET: 'short' }, 'SESSION_SECRET'],
      [{ DEFAULT_LOCALE: 'xx' }, 'DEFAULT_LOCALE'],
      [{ TILE_URL: 'https://tiles.example.org/tile.png' }, 'TILE_URL'],
      [{ REMINDER_HOURS: 'tomorrow' }, 'REMINDER_HOURS'],
      [{ TRUST_PROXY: 'maybe' }, 'TRUST_PROXY'],
    ];
    for (const [env, name] of cases) {
      let error: unknown;
      try {
        loadConfig(env);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toContain(name);
    }
  });

  test('a bad secret or URL is named, but its value (which may hold a password) is never printed', () => {
    const cases: [Record<string, string>, string, string][] = [
      [{ DATABASE_URL: 'mysql://picket:hunter2-db@db.example.org/picket' }, 'DATABASE_URL', 'hunter2-db'],
      [{ DATABASE_URL: 'postgres//picket:hunter2-typo@db.example.org' }, 'DATABASE_URL', 'hunter2-typo'],
      [{ SMTP_URL: 'smtp//mailer:hunter2-smtp@mail.example.org' }, 'SMTP_URL', 'hunter2-smtp'],
      [{ SESSION_SECRET: 'hunter2-short' }, 'SESSION_SECRET', 'hunter2-short'],
      [{ SEED_PASSWORD: 'hunter2' }, 'SEED_PASSWORD', 'hunter2'],
    ];
    for (const [env, name, secret] of cases) {
      let message = '';
      try {
        loadConfig(env);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toContain(name);
      expect(message).not.toContain(secret);
    }
    // Harmless values are still echoed, which helps spot a typo.
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow('(got "eighty")');
  });

  test('the server refuses to start with a bad setting and says which', () => {
    const root = path.resolve(__dirname, '..');
    const result = spawnSync(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), 'src/server.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH, PORT: 'not-a-port', DATA_DIR: '/tmp/picket-config-test' },
      encoding: 'utf8',
      timeout: 20000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('PORT: must be a number');
  });
});

describe('object storage settings', () => {
  test('files stay on disk unless S3_BUCKET is set; a bucket needs both keys or neither, and a valid name', () => {
    expect(loadConfig({}).S3_BUCKET).toBeUndefined();
    expect(loadConfig({ S3_BUCKET: 'picket-files', S3_FORCE_PATH_STYLE: 'true' })).toMatchObject({ S3_BUCKET: 'picket-files', S3_REGION: 'us-east-1', S3_FORCE_PATH_STYLE: true });
    expect(() => loadConfig({ S3_BUCKET: 'picket-files', S3_ACCESS_KEY_ID: 'key-without-secret' })).toThrow('S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY: set both or neither');
    expect(() => loadConfig({ S3_BUCKET: 'Picket_Files' })).toThrow('S3_BUCKET: must be a bucket name');
    expect(() => loadConfig({ S3_ENDPOINT: 'minio:9000' })).toThrow('S3_ENDPOINT');
  });
});
