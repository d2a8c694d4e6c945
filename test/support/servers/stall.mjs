// Blocks its whole event loop for stallMs every periodMs (a GC pause, a sync fs call, a
// stop-the-world), starting firstStallAfterMs after the first request, at most `stalls` times.
// Otherwise answers 200 at once. Options: { stallMs, periodMs, firstStallAfterMs, stalls }
// Records when it handled each request (ms since the first), the truth a user on schedule saw:
// a request that came during a stall, or behind the backlog a stall leaves, is handled late.
import http from 'node:http';
const o = { stallMs: 1000, periodMs: 5000, firstStallAfterMs: 2000, stalls: 4, ...JSON.parse(process.argv[2] ?? '{}') };
let count = 0;
let stallsDone = 0;
let firstAt = 0;
const stallStartsMs = [];
const handledMs = [];
function stall() {
  stallStartsMs.push(performance.now() - firstAt);
  const end = performance.now() + o.stallMs;
  while (performance.now() < end) {
    /* the whole process is stuck, as in a long GC pause */
  }
  if (++stallsDone < o.stalls) setTimeout(stall, o.periodMs - o.stallMs);
}
const server = http.createServer((req, res) => {
  if (count++ === 0) {
    firstAt = performance.now();
    setTimeout(stall, o.firstStallAfterMs);
  }
  handledMs.push(performance.now() - firstAt);
  req.resume();
  res.end('ok');
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (m) => {
  if (m.type === 'stats') process.send({ id: m.id, stats: { count, stallStartsMs, handledMs } });
});
process.on('SIGTERM', () => process.exit(0));
process.on('disconnect', () => process.exit(0));
