// Moving an instance to object storage: `npm run storage:migrate` copies the disk store into the
// bucket, can be run again after an interruption, and changes nothing on disk.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { bucketSettings, bucketStorage, diskStorage, Storage } from '../src/lib/storage';
import { loadConfig } from '../src/config';
import { startS3, TestS3 } from './support/s3';

const run = promisify(execFile);
let s3: TestS3;
let dataDir: string;
let bucket: Storage;

beforeAll(async () => {
  s3 = await startS3('picket-migrate');
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-migrate-'));
  bucket = bucketStorage(bucketSettings(loadConfig(s3.env))!);
});
afterAll(async () => {
  bucket.close?.();
  await s3.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function migrate(env: Record<string, string>) {
  return run(process.execPath, ['--import', 'tsx', 'src/cli/storage-migrate.ts'], {
    cwd: path.resolve(__dirname, '..'),
    env: { PATH: process.env.PATH, DATA_DIR: dataDir, LOG_LEVEL: 'silent', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
  });
}

test('an admin copies the uploads of a disk instance into the bucket, twice without harm', async () => {
  const disk = diskStorage(path.join(dataDir, 'uploads'));
  const files: Record<string, Buffer> = {
    [`media/${'1'.repeat(32)}/display.jpg`]: Buffer.from('a photo'),
    [`media/${'1'.repeat(32)}/thumb.jpg`]: Buffer.from('its thumbnail'),
    [`media/${'2'.repeat(32)}/letter.pdf`]: Buffer.from('%PDF- a letter'),
    [`portraits/${'3'.repeat(32)}/display.jpg`]: Buffer.from('a portrait'),
  };
  for (const [key, data] of Object.entries(files)) await disk.put(key, data);
  // An earlier run was interrupted after the first file.
  await bucket.put(`media/${'1'.repeat(32)}/display.jpg`, files[`media/${'1'.repeat(32)}/display.jpg`]);

  const first = await migrate(s3.env);
  expect(first.stdout).toContain('4 files: 3 copied, 1 already in the bucket.');
  expect(await bucket.list()).toEqual(Object.keys(files).sort());
  for (const [key, data] of Object.entries(files)) expect(await bucket.get(key)).toEqual(data);

  const again = await migrate(s3.env);
  expect(again.stdout).toContain('4 files: 0 copied, 4 already in the bucket.');
  expect(await disk.list()).toEqual(Object.keys(files).sort()); // the disk store is left as it was
});

test('without a bucket configured it says what to set, and copies nothing', async () => {
  await expect(migrate({})).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('set S3_BUCKET') });
});

test('a process started on a bucket that does not exist says so at start-up', async () => {
  const missing = bucketStorage(bucketSettings(loadConfig({ ...s3.env, S3_BUCKET: 'no-such-bucket' }))!);
  try {
    expect(await missing.warnings!()).toEqual([expect.stringContaining('bucket no-such-bucket cannot be reached')]);
    expect(await bucket.warnings!()).toEqual([]); // the real one: reachable, and s3rver keeps no versions
  } finally {
    missing.close?.();
  }
});
