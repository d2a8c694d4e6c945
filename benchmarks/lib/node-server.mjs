/**
 * Fallback bench target when nginx is not installed: the fastest plain node:http answer, in its
 * own process so it runs on the other core. Reports its port to the parent over IPC.
 */
import { createServer } from 'node:http';

// The journey bench's report service (the same answers as the nginx target's).
const ROUTES = {
  '/reports': [202, 'application/json', '{"id":"r-1","status":"queued"}'],
  '/reports/r-1': [200, 'application/json', '{"id":"r-1","status":"done"}'],
  '/reports/r-1/document': [200, 'text/plain', 'document'],
};
const server = createServer((req, res) => {
  // Drain any request body; answer from a constant buffer.
  req.resume();
  const [status, type, body] = ROUTES[req.url] ?? [200, 'text/plain', 'ok'];
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.keepAliveTimeout = 75_000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
// The parent kills us by PID; also leave if it disappears.
process.on('disconnect', () => process.exit(0));
