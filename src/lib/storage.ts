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
      const out: string[] = [];
      const walk = async (dir: string, rel: string) => {
        let entries: fs.Dirent[];
        try {
          entries = await fs.promises.readdir(dir, { withFileTypes: true });
        } catch {
          return;
        }
        for (const e of entries) {
          const r = rel ? `${rel}/${e.name}` : e.name;
          if (e.isDirectory()) await walk(path.join(dir, e.name), r);
          else if (!e.name.endsWith('.tmp') && r.startsWith(prefix)) out.push(r);
        }
      };
      await walk(root, '');
      return out.sort();
    },
  };
}
