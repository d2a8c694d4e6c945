// An HTTPS server that speaks HTTP/2 (and HTTP/1.1 to clients that do not offer h2), on
// 127.0.0.1. Counts requests by the protocol they really arrived in. Options: { cert, key }
// (PEM file paths).
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import http2 from 'node:http2';

const o = JSON.parse(process.argv[2] ?? '{}');
const byVersion = {};
let count = 0;
const server = http2.createSecureServer({ cert: readFileSync(o.cert), key: readFileSync(o.key), allowHTTP1: true }, (req, res) => {
  count++;
  byVersion[req.httpVersion] = (byVersion[req.httpVersion] ?? 0) + 1;
  req.resume();
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end(`hello over HTTP/${req.httpVersion}`);
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
process.send({ port: server.address().port });
process.on('message', (m) => {
  if (m.type === 'stats') process.send({ id: m.id, stats: { count, byVersion } });
});
process.on('SIGTERM', () => process.exit(0));
process.on('disconnect', () => process.exit(0));
