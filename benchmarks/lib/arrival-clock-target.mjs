/**
 * A loopback target for timing a stop: answers `200 ok` and keeps the wall-clock time (epoch ms)
 * of the last request it received, by Date.now(), the clock overload stamps the Stop with.
 * (performance.timeOrigin + performance.now() follows the monotonic clock from the process's
 * start and misses any later step of the wall clock: seen 400 ms off on this VM.) Reports its port over IPC, and on `{ type: 'last' }`
 * answers `{ lastEpochMs, count }`. The parent kills it by PID; it also leaves if the parent goes.
 */
import { createServer } from 'node:http';

let lastEpochMs = 0;
let count = 0;
const server = createServer((req, res) => {
  lastEpochMs = Date.now();
  count++;
  req.resume();
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 });
  res.end('ok');
});
server.keepAliveTimeout = 75_000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (m) => {
  if (m?.type === 'last') process.send({ lastEpochMs, count });
  if (m?.type === 'reset') (lastEpochMs = 0), (count = 0);
});
process.on('disconnect', () => process.exit(0));
