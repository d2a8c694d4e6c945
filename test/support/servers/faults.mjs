// A target that misbehaves in one selectable way, on 127.0.0.1 only (see docs/faults.md).
// It speaks HTTP/1.1 at the socket level (node:net, or node:tls with `tls`), so it can break
// the protocol in ways node:http never would. Options (JSON in argv[2]):
//   fault:  ok | refused | goes-down | reset-before-response | reset-mid-body | never-answer |
//           slow-headers | trickle-body | huge-body | garbage | premature-close |
//           informational | redirect
//   tls:    { cert, key, ca?, requestCert? }  PEM file paths: serve HTTPS (requestCert: demand a
//           client certificate signed by ca)
//   slowHeadersMs (default 600), hugeBodyBytes (default 1 GiB)
// Stats over IPC: requests (heads read), connections, faults applied, bytes of body written,
// redirectHits (requests that followed a redirect: must stay 0), clientCerts (verified peers).
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';

const o = JSON.parse(process.argv[2] ?? '{}');
const fault = o.fault ?? 'ok';
const stats = { requests: 0, connections: 0, faulted: 0, bodyBytesWritten: 0, redirectHits: 0, clientCerts: 0 };
const sockets = new Set();
const timers = new Set();
const later = (fn, ms) => {
  const t = setTimeout(() => {
    timers.delete(t);
    fn();
  }, ms);
  timers.add(t);
};
const CHUNK = Buffer.alloc(1024 * 1024, 'x');
const GIB = 1024 * 1024 * 1024;
const GARBAGE = Buffer.from('\x00\x01\x02 not HTTP at all \xff\xfe\r\n\r\n', 'latin1');

// The place a redirect points to: a second loopback server that counts whoever follows it.
const elsewhere = net.createServer((s) => {
  stats.redirectHits++;
  s.destroy();
});
elsewhere.listen(0, '127.0.0.1');
await once(elsewhere, 'listening');
const elsewhereUrl = `http://127.0.0.1:${elsewhere.address().port}/moved`;

function respond(socket) {
  stats.requests++;
  switch (fault) {
    case 'goes-down':
      // The target dies at its first request: everything after finds the port closed.
      stats.faulted++;
      server.close();
      for (const s of sockets) s.resetAndDestroy();
      return;
    case 'reset-before-response':
      stats.faulted++;
      return socket.resetAndDestroy();
    case 'reset-mid-body':
      stats.faulted++;
      socket.write(`HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n${'x'.repeat(500)}`);
      return later(() => socket.resetAndDestroy(), 5);
    case 'never-answer':
      stats.faulted++;
      return;
    case 'slow-headers': {
      stats.faulted++;
      const lines = ['HTTP/1.1 200 OK\r\n', 'content-type: text/plain\r\n', 'x-slow: 1\r\n', 'content-length: 2\r\n', '\r\nok'];
      const step = (o.slowHeadersMs ?? 600) / (lines.length - 1);
      lines.forEach((l, i) => later(() => !socket.destroyed && socket.write(l), i * step));
      return;
    }
    case 'trickle-body': {
      stats.faulted++;
      socket.write('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n');
      let sent = 0;
      const drip = () => {
        if (socket.destroyed || sent === 10) return;
        socket.write('x');
        sent++;
        later(drip, 1000);
      };
      return later(drip, 1000);
    }
    case 'huge-body': {
      stats.faulted++;
      const total = o.hugeBodyBytes ?? GIB;
      socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: ${total}\r\n\r\n`);
      let left = total;
      // Written with backpressure from one reused buffer: the server holds 1 MiB per
      // connection, and whatever the client does not read stays in the kernel.
      const pump = () => {
        while (left > 0 && !socket.destroyed) {
          const n = Math.min(left, CHUNK.length);
          left -= n;
          stats.bodyBytesWritten += n;
          if (!socket.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))) return socket.once('drain', pump);
        }
      };
      return pump();
    }
    case 'garbage':
      stats.faulted++;
      return socket.write(GARBAGE);
    case 'premature-close':
      stats.faulted++;
      // A clean FIN after half the promised body: no reset, just an early end.
      return socket.end(`HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n${'x'.repeat(50)}`);
    case 'informational':
      stats.faulted++;
      return socket.write(
        'HTTP/1.1 103 Early Hints\r\nlink: </style.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok',
      );
    case 'redirect':
      stats.faulted++;
      return socket.write(`HTTP/1.1 302 Found\r\nlocation: ${elsewhereUrl}\r\ncontent-length: 0\r\n\r\n`);
    default:
      return socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
  }
}

/** Reads request heads (and skips content-length bodies); answers each with the fault. */
function handle(socket) {
  stats.connections++;
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
  socket.on('error', () => {});
  if (socket.authorized) stats.clientCerts++;
  let pending = '';
  let skip = 0;
  socket.on('data', (chunk) => {
    let text = chunk.toString('latin1');
    if (skip > 0) {
      const n = Math.min(skip, text.length);
      skip -= n;
      text = text.slice(n);
    }
    pending += text;
    for (;;) {
      const end = pending.indexOf('\r\n\r\n');
      if (end < 0) break;
      const head = pending.slice(0, end);
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      const body = length ? Number(length[1]) : 0;
      const available = pending.length - (end + 4);
      pending = pending.slice(end + 4 + Math.min(body, available));
      skip = Math.max(0, body - available);
      respond(socket);
      if (socket.destroyed) return;
    }
  });
}

let server;
if (o.tls) {
  server = tls.createServer(
    {
      cert: readFileSync(o.tls.cert),
      key: readFileSync(o.tls.key),
      ...(o.tls.ca ? { ca: readFileSync(o.tls.ca) } : {}),
      ...(o.tls.requestCert ? { requestCert: true, rejectUnauthorized: true } : {}),
    },
    handle,
  );
  server.on('tlsClientError', () => {});
} else server = net.createServer(handle);

server.listen(0, '127.0.0.1');
await once(server, 'listening');
const port = server.address().port;
// Nothing listens on a refused target: close the port again (the OS does not hand it out
// again at once, so nobody else answers there during the test).
if (fault === 'refused') await new Promise((r) => server.close(r));
process.send({ port });

process.on('message', (m) => {
  if (m.type === 'stats') process.send({ id: m.id, stats: { ...stats, count: stats.requests } });
});
const stop = () => {
  for (const t of timers) clearTimeout(t);
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('disconnect', stop);
