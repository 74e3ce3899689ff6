// nginx as a micro-cache in front of Picket, with the README's example configuration
// (docs/nginx/picket.conf) and only its marked lines changed: a free port, the app's address,
// a cache folder in a temporary directory. Started in the foreground and stopped by the bench.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, makeTempDir, removeDir, repoRoot, waitUntilUp } from '../support';

export const NGINX = process.env.NGINX_BIN ?? '/usr/sbin/nginx';

export function nginxConfig(site: string, options: { dir: string; port: number; upstream: string }): string {
  const adapted = site
    .replace('/var/cache/nginx/picket', path.join(options.dir, 'cache'))
    .replace('server 127.0.0.1:3000;', `server ${options.upstream};`)
    .replace('listen 8080;', `listen 127.0.0.1:${options.port};`);
  if (adapted === site) throw new Error('docs/nginx/picket.conf no longer has the lines the bench adapts');
  return `worker_processes 1;
daemon off;
pid ${options.dir}/nginx.pid;
error_log ${options.dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${options.dir}/body;
  proxy_temp_path ${options.dir}/proxy;
  fastcgi_temp_path ${options.dir}/fastcgi;
  uwsgi_temp_path ${options.dir}/uwsgi;
  scgi_temp_path ${options.dir}/scgi;
${adapted}
}
`;
}

export async function startNginx(upstream: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const dir = makeTempDir('picket-nginx-');
  fs.chmodSync(dir, 0o777); // nginx's workers run as another user (nobody) when started by root
  const port = await freePort();
  const site = fs.readFileSync(path.join(repoRoot, 'docs/nginx/picket.conf'), 'utf8');
  fs.writeFileSync(path.join(dir, 'nginx.conf'), nginxConfig(site, { dir, port, upstream }));
  const child = spawn(NGINX, ['-p', dir, '-c', path.join(dir, 'nginx.conf')], { stdio: ['ignore', 'inherit', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    child.kill('SIGQUIT');
    await exited;
    removeDir(dir);
  };
  try {
    await waitUntilUp(`${url}/healthz`, 15_000);
  } catch (error) {
    console.error(fs.readFileSync(path.join(dir, 'error.log'), 'utf8').split('\n').slice(-5).join('\n'));
    await stop();
    throw error;
  }
  return { url, stop };
}
