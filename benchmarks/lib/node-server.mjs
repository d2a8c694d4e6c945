/**
 * Fallback bench target when nginx is not installed: the fastest plain node:http answer, in its
 * own process so it runs on the other core. Reports its port to the parent over IPC.
 */
import { createServer } from 'node:http';

const server = createServer((req, res) => {
  // Drain any request body; answer from a constant buffer.
  req.resume();
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 });
  res.end('ok');
});
server.keepAliveTimeout = 75_000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
// The parent kills us by PID; also leave if it disappears.
process.on('disconnect', () => process.exit(0));
