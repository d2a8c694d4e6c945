/**
 * The bench's own loopback target: nginx from Debian when installed (a fast C server, so the
 * number measured is the load generator's, not the target's), else a node:http server in a child
 * process. Either way it listens on 127.0.0.1 only, runs as our child, and is killed by its PID.
 * Nothing outside a fresh temp dir is read or written: the system nginx config and services are
 * never touched.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pinned } from './pin.mjs';

export const NGINX = '/usr/sbin/nginx';

/** A free loopback port (the tiny race between close and nginx's bind is retried by the caller). */
async function freePort() {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address();
  srv.close();
  await once(srv, 'close');
  return port;
}

/** Resolves once something accepts TCP connections on the port, or rejects after timeoutMs. */
async function waitForPort(port, child, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`target exited with code ${child.exitCode} before listening`);
    const ok = await new Promise((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`target did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * One nginx process (master_process off, so the PID we hold is the one serving), answering
 * `200 ok` from memory. keepalive_requests is raised so neither tool pays reconnects every 1000
 * requests (nginx's default) — a target setting, the same for both tools.
 */
function nginxConfig(dir, port) {
  return `daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_requests 10000000;
  keepalive_timeout 75s;
  server {
    listen 127.0.0.1:${port};
    location / {
      default_type text/plain;
      return 200 "ok";
    }
    # The journey bench's report service, answered from memory: generate, poll (done at once),
    # download.
    location = /reports {
      default_type application/json;
      return 202 '{"id":"r-1","status":"queued"}';
    }
    location = /reports/r-1 {
      default_type application/json;
      return 200 '{"id":"r-1","status":"done"}';
    }
    location = /reports/r-1/document {
      default_type text/plain;
      return 200 "document";
    }
  }
}
`;
}

async function startNginx(cpu) {
  const dir = mkdtempSync(join(tmpdir(), 'overload-bench-nginx-'));
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const conf = join(dir, 'nginx.conf');
    writeFileSync(conf, nginxConfig(dir, port));
    // -p sets the prefix so nginx resolves nothing relative to /etc/nginx; -e for early errors.
    const [cmd, args] = pinned(cpu, NGINX, ['-p', dir, '-c', conf, '-e', join(dir, 'error.log')]);
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    try {
      await waitForPort(port, child);
      return target('nginx', port, child, () => rmSync(dir, { recursive: true, force: true }));
    } catch (error) {
      kill(child);
      if (attempt >= 2) {
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`${error.message}${stderr ? `: ${stderr.trim()}` : ''}`);
      }
    }
  }
}

async function startNode(cpu) {
  const [cmd, args] = pinned(cpu, process.execPath, [fileURLToPath(new URL('./node-server.mjs', import.meta.url))]);
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const [msg] = await once(child, 'message');
  return target('node:http', msg.port, child, () => {});
}

function kill(child) {
  if (child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
}

function target(kind, port, child, cleanup) {
  let stopped = false;
  return {
    kind,
    url: `http://127.0.0.1:${port}/`,
    pid: child.pid,
    /** Kills the target by its PID and removes its temp dir; safe to call twice. */
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        kill(child);
      } finally {
        cleanup();
      }
    },
  };
}

/** Starts nginx if installed (unless `prefer` is 'node'), else the node:http fallback; pinned to `cpu` when given. */
export async function startTarget(prefer = 'auto', cpu = undefined) {
  if (prefer !== 'node' && existsSync(NGINX)) return startNginx(cpu);
  if (prefer === 'nginx') throw new Error(`${NGINX} not found (Debian package nginx-light)`);
  return startNode(cpu);
}
