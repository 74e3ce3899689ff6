// Where uploaded files live, behind one interface: local disk by default; object storage
// (S3-compatible) can implement the same interface.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { Readable } from 'node:stream';

export interface Storage {
  /** Writes atomically: the file appears whole or not at all. */
  put(key: string, data: Buffer): Promise<void>;
  get(key: string): Promise<Buffer | null>;
  stream(key: string): Readable | null;
  delete(key: string): Promise<void>;
  list(prefix?: string): Promise<string[]>;
  /** Removes temporary files older than `before` that a crash mid-write left behind; returns how many. */
  removeLeftovers?(before: Date): Promise<number>;
}

function safeKey(key: string): string {
  if (!/^[a-z0-9][a-z0-9/_.-]*$/i.test(key) || key.includes('..')) throw new Error(`bad storage key: ${key}`);
  return key;
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
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
    stream(key) {
      const file = abs(key);
      return fs.existsSync(file) ? fs.createReadStream(file) : null;
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
