import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { removeStalePid, serverRunning, startEmbeddedPostgres } from '../src/db/embedded';

function dataDirWithPid(pid: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-embedded-'));
  fs.writeFileSync(path.join(dir, 'postmaster.pid'), `${pid}\n${dir}\n`);
  return dir;
}

test('a postmaster.pid left by a killed run is removed; a live server is left alone and reused', async () => {
  // A pid that is certainly gone: a child that has exited.
  const gone = Number(execFileSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).trim());
  const stale = dataDirWithPid(gone);
  expect(serverRunning(stale)).toBe(false);
  removeStalePid(stale);
  expect(fs.existsSync(path.join(stale, 'postmaster.pid'))).toBe(false);

  // The machine's own PostgreSQL stands in for an embedded server another command started.
  const postgresPid = Number(execFileSync('pgrep', ['-o', 'postgres'], { encoding: 'utf8' }).trim());
  const live = dataDirWithPid(postgresPid);
  expect(serverRunning(live)).toBe(true);
  removeStalePid(live);
  expect(fs.existsSync(path.join(live, 'postmaster.pid'))).toBe(true);
  const reused = await startEmbeddedPostgres({ dir: live, port: 54999 });
  expect(reused.url).toBe('postgres://picket:picket@127.0.0.1:54999/postgres');
  await reused.stop(); // leaves the server to whoever started it
  expect(serverRunning(live)).toBe(true);
  fs.rmSync(stale, { recursive: true, force: true });
  fs.rmSync(live, { recursive: true, force: true });
});
