// Where uploaded files live, behind one interface: local disk by default, or an S3-compatible
// bucket when S3_BUCKET is set. Either way files are served through Picket, never by a link to
// the storage host, so no visitor's address reaches a third party.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import {
  DeleteObjectCommand, GetBucketVersioningCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, S3ServiceException,
} from '@aws-sdk/client-s3';

export interface Storage {
  /** Writes atomically: the file appears whole or not at all. Writing a key again replaces the file. */
  put(key: string, data: Buffer): Promise<void>;
  get(key: string): Promise<Buffer | null>;
  /** Bytes `start` to `end` (inclusive) of a file, for range requests. */
  getRange(key: string, start: number, end: number): Promise<Buffer | null>;
  /** The file's length in bytes, or null when there is no such file. */
  size(key: string): Promise<number | null>;
  /** Removes the file for good (nothing happens when there is none). */
  delete(key: string): Promise<void>;
  list(prefix?: string): Promise<string[]>;
  /** Removes temporary files older than `before` that a crash mid-write left behind; returns how many. */
  removeLeftovers?(before: Date): Promise<number>;
  /** What a log line may say about where files go (no secrets). */
  describe(): string;
  /** Lets go of open connections (a bucket's keep-alive sockets) at shutdown. */
  close?(): void;
  /** What start-up should warn about (a bucket that keeps old versions of deleted files). */
  warnings?(): Promise<string[]>;
}

function safeKey(key: string): string {
  if (!/^[a-z0-9][a-z0-9/_.-]*$/i.test(key) || key.includes('..')) throw new Error(`bad storage key: ${key}`);
  return key;
}

function missing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

export function diskStorage(root: string): Storage {
  const abs = (key: string) => path.join(root, safeKey(key));
  return {
    async put(key, data) {
      const file = abs(key);
      await fs.promises.mkdir(path.dirname(file), { recursive: true });
      const tmp = `${file}.${crypto.randomBytes(6).toString('hex')}.tmp`;
      await fs.promises.writeFile(tmp, data, { mode: 0o600 });
      await fs.promises.rename(tmp, file);
    },
    async get(key) {
      try {
        return await fs.promises.readFile(abs(key));
      } catch (error) {
        if (missing(error)) return null;
        throw error;
      }
    },
    async getRange(key, start, end) {
      let handle: fs.promises.FileHandle;
      try {
        handle = await fs.promises.open(abs(key), 'r');
      } catch (error) {
        if (missing(error)) return null;
        throw error;
      }
      try {
        const buffer = Buffer.alloc(end - start + 1);
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, start);
        return buffer.subarray(0, bytesRead);
      } finally {
        await handle.close();
      }
    },
    async size(key) {
      try {
        return (await fs.promises.stat(abs(key))).size;
      } catch (error) {
        if (missing(error)) return null;
        throw error;
      }
    },
    async delete(key) {
      await fs.promises.rm(abs(key), { force: true });
    },
    async list(prefix = '') {
      return (await walk(root)).filter((r) => !r.endsWith('.tmp') && r.startsWith(prefix)).sort();
    },
    async removeLeftovers(before) {
      let removed = 0;
      for (const r of (await walk(root)).filter((f) => f.endsWith('.tmp'))) {
        const file = path.join(root, r);
        const stat = await fs.promises.stat(file).catch(() => null);
        if (stat && stat.mtime < before) {
          await fs.promises.rm(file, { force: true });
          removed++;
        }
      }
      return removed;
    },
    describe: () => `disk ${root}`,
  };
}

/** Every file under `root`, as paths relative to it. */
async function walk(root: string): Promise<string[]> {
  const out: string[] = [];
  const visit = async (dir: string, rel: string) => {
    let entries: fs.Dirent[];
    try {
      entries = await fs.promises.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await visit(path.join(dir, e.name), r);
      else out.push(r);
    }
  };
  await visit(root, '');
  return out;
}

export interface BucketSettings {
  bucket: string;
  endpoint?: string;
  region: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
}

export function s3Client(s: BucketSettings): S3Client {
  return new S3Client({
    endpoint: s.endpoint,
    region: s.region,
    forcePathStyle: s.forcePathStyle,
    credentials: s.accessKeyId && s.secretAccessKey ? { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey } : undefined,
    // Non-AWS stores (MinIO, Garage, Ceph, s3rver...) reject the CRC checksums the SDK adds by default.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

function notFound(error: unknown): boolean {
  if (!(error instanceof S3ServiceException)) return false;
  return error.name === 'NoSuchKey' || error.name === 'NotFound' || error.$metadata.httpStatusCode === 404;
}

/** Files as objects in an S3-compatible bucket; keys are the same as on disk. A PUT is atomic in S3. */
export function bucketStorage(settings: BucketSettings, client: S3Client = s3Client(settings)): Storage {
  const Bucket = settings.bucket;
  const read = async (key: string, range?: string): Promise<Buffer | null> => {
    try {
      const res = await client.send(new GetObjectCommand({ Bucket, Key: safeKey(key), Range: range }));
      return Buffer.from(await res.Body!.transformToByteArray());
    } catch (error) {
      if (notFound(error)) return null;
      throw error;
    }
  };
  return {
    async put(key, data) {
      await client.send(new PutObjectCommand({ Bucket, Key: safeKey(key), Body: data, ContentLength: data.length }));
    },
    get: (key) => read(key),
    getRange: (key, start, end) => read(key, `bytes=${start}-${end}`),
    async size(key) {
      try {
        return (await client.send(new HeadObjectCommand({ Bucket, Key: safeKey(key) }))).ContentLength ?? 0;
      } catch (error) {
        if (notFound(error)) return null;
        throw error;
      }
    },
    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket, Key: safeKey(key) }));
    },
    async list(prefix = '') {
      const out: string[] = [];
      let ContinuationToken: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket, Prefix: prefix || undefined, ContinuationToken }));
        for (const object of page.Contents ?? []) if (object.Key) out.push(object.Key);
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken);
      return out.sort();
    },
    describe: () => `bucket ${Bucket}${settings.endpoint ? ` at ${settings.endpoint}` : ''}`,
    close: () => client.destroy(),
    async warnings() {
      const reachable = await client.send(new HeadBucketCommand({ Bucket })).then(() => null, (error: Error) => error.name || 'error');
      if (reachable) return [`bucket ${Bucket} cannot be reached (${reachable}): uploads will fail until it exists and the key may use it`];
      // A blurred photo replaces its original and a rejected one is deleted: a versioned bucket
      // would keep the originals. Stores that cannot say (or a key without the right) stay silent.
      const status = await client.send(new GetBucketVersioningCommand({ Bucket })).then((r) => r.Status, () => undefined);
      return status === 'Enabled' || status === 'Suspended'
        ? [`bucket ${Bucket} has versioning ${status.toLowerCase()}: deleted and blurred photos survive as old versions; turn versioning off and delete the old versions`]
        : [];
    },
  };
}

/** The settings' S3 bucket, or null when S3_BUCKET is unset. */
export function bucketSettings(config: {
  S3_BUCKET?: string; S3_ENDPOINT?: string; S3_REGION: string; S3_ACCESS_KEY_ID?: string; S3_SECRET_ACCESS_KEY?: string; S3_FORCE_PATH_STYLE: boolean;
}): BucketSettings | null {
  if (!config.S3_BUCKET) return null;
  return {
    bucket: config.S3_BUCKET,
    endpoint: config.S3_ENDPOINT,
    region: config.S3_REGION,
    accessKeyId: config.S3_ACCESS_KEY_ID,
    secretAccessKey: config.S3_SECRET_ACCESS_KEY,
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
  };
}

/** The store the settings ask for: the bucket when S3_BUCKET is set, else DATA_DIR/uploads. */
export function createStorage(config: Parameters<typeof bucketSettings>[0] & { dataDir: string }): Storage {
  const bucket = bucketSettings(config);
  return bucket ? bucketStorage(bucket) : diskStorage(path.join(config.dataDir, 'uploads'));
}

export interface CopyReport {
  copied: number;
  /** Already in the target with the same length (a re-run after an interruption). */
  skipped: number;
  total: number;
}

/**
 * Copies every file of `from` into `to`, one at a time, skipping those the target already holds
 * with the same length, so it can be re-run after an interruption. `from` is left as it was.
 */
export async function copyStore(from: Storage, to: Storage, progress: (done: number, total: number) => void = () => {}): Promise<CopyReport> {
  const keys = await from.list();
  const report: CopyReport = { copied: 0, skipped: 0, total: keys.length };
  for (const [i, key] of keys.entries()) {
    const [there, here] = await Promise.all([to.size(key), from.size(key)]);
    if (there !== null && there === here) {
      report.skipped++;
    } else {
      const data = await from.get(key);
      if (data) await to.put(key, data);
      report.copied++;
    }
    progress(i + 1, keys.length);
  }
  return report;
}
