// npm run storage:migrate [-- --from DIR]: copies the files of a disk store (DATA_DIR/uploads by
// default) into the bucket of S3_BUCKET, so a running instance can move to object storage.
// Re-running it copies only what is missing; the disk store is left as it was.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Presets, SingleBar } from 'cli-progress';
import { ConfigError, loadConfig, loadDotEnv } from '../config';
import { bucketSettings, bucketStorage, copyStore, diskStorage } from '../lib/storage';

async function main(): Promise<void> {
  loadDotEnv();
  const { values } = parseArgs({ options: { from: { type: 'string' } } });
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const bucket = bucketSettings(config);
  if (!bucket) {
    console.error('storage:migrate copies files into a bucket: set S3_BUCKET (and S3_ENDPOINT, S3_REGION, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_FORCE_PATH_STYLE) first.');
    process.exit(1);
  }
  const fromDir = path.resolve(values.from ?? path.join(config.dataDir, 'uploads'));
  const from = diskStorage(fromDir);
  const to = bucketStorage(bucket);
  console.log(`Copying ${from.describe()} into ${to.describe()}`);
  const bar = process.stdout.isTTY ? new SingleBar({ format: 'Copying files [{bar}] {value}/{total}' }, Presets.shades_classic) : undefined;
  let started = false;
  try {
    const report = await copyStore(from, to, (done, total) => {
      if (bar) {
        if (!started) bar.start(total, 0);
        started = true;
        bar.update(done);
      } else if (done % 100 === 0 || done === total) {
        console.log(`  ${done}/${total}`);
      }
    });
    bar?.stop();
    console.log(`${report.total} files: ${report.copied} copied, ${report.skipped} already in the bucket.`);
  } finally {
    to.close?.();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
