// A target with a fixed capacity: it serves at most capacityRps requests per second in arrival
// order and queues the rest (like a thread pool in front of a slow dependency). Optional circuit
// breaker: when the queue is longer than breaker.tripQueue it opens and every request gets 503
// at once; after breaker.resetMs it closes again — unless breaker.sticky, the seed story's bug.
// With breaker.flap = { openMs, passMs } it never closes either, but lets everything through
// for passMs after every openMs (a half-open state that never commits): now and then the target
// looks healthy, then fails again.
// GET /metrics (not queued, not counted) exposes queue depth and breaker state.
// /admin/* (not queued, not counted) answers 200 at once and records when it arrived (stats.admin,
// epoch ms), next to stats.firstLoadAtMs, so a test can time an action against the load.
// addedMs: each request served waits that much more before its answer, holding no capacity (a
// slower downstream call: latency grows at every rate, the capacity does not change).
// port: listen there instead of on a free port (runs that must be compared share a target URL).
// Options: { capacityRps, addedMs?, port?, breaker?: { tripQueue, resetMs, sticky, flap?: { openMs, passMs } } }
import http from 'node:http';
const o = JSON.parse(process.argv[2] ?? '{}');
const capacity = o.capacityRps ?? 400;
const breaker = o.breaker;
const addedMs = o.addedMs ?? 0;
const answer = (res) => (addedMs > 0 ? setTimeout(() => res.end('ok'), addedMs) : res.end('ok'));
const queue = [];
let served = 0;
let count = 0;
let rejected = 0;
let openedAt = -1;
let trips = 0;
let last = performance.now();
let budget = 0;
const admin = [];
let firstLoadAtMs;

function breakerOpen(now) {
  if (openedAt < 0) return false;
  if (breaker.flap) return (now - openedAt) % (breaker.flap.openMs + breaker.flap.passMs) < breaker.flap.openMs;
  if (!breaker.sticky && now - openedAt >= breaker.resetMs) {
    openedAt = -1;
    return false;
  }
  return true;
}

setInterval(() => {
  const now = performance.now();
  budget = Math.min(budget + ((now - last) * capacity) / 1000, capacity * 0.01 + 1);
  last = now;
  while (budget >= 1 && queue.length > 0) {
    budget -= 1;
    served++;
    answer(queue.shift());
  }
  if (queue.length === 0) budget = Math.min(budget, 1);
}, 2).unref();

const server = http.createServer((req, res) => {
  req.resume();
  if (req.url === '/metrics') {
    const now = performance.now();
    res.setHeader('content-type', 'text/plain; version=0.0.4');
    res.end(
      `# HELP queue_depth Requests waiting for capacity.\n# TYPE queue_depth gauge\nqueue_depth ${queue.length}\n` +
        `# TYPE breaker_open gauge\nbreaker_open ${breaker && breakerOpen(now) ? 1 : 0}\n` +
        `# TYPE served_total counter\nserved_total ${served}\n`,
    );
    return;
  }
  if (req.url.startsWith('/admin')) {
    admin.push({ method: req.method, path: req.url, atMs: Date.now() });
    res.end('ok');
    return;
  }
  firstLoadAtMs ??= Date.now();
  count++;
  const now = performance.now();
  if (breaker) {
    if (breakerOpen(now)) {
      rejected++;
      res.statusCode = 503;
      res.end('circuit open');
      return;
    }
    if (queue.length >= breaker.tripQueue && openedAt < 0) {
      openedAt = now;
      trips++;
      // Everything waiting fails with the breaker, as a real pool's callers would.
      for (const waiting of queue.splice(0)) {
        waiting.statusCode = 503;
        waiting.end('circuit open');
      }
      rejected++;
      res.statusCode = 503;
      res.end('circuit open');
      return;
    }
  }
  queue.push(res);
});
server.keepAliveTimeout = 60_000;
server.listen(o.port ?? 0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (m) => {
  if (m.type === 'stats') process.send({ id: m.id, stats: { count, served, rejected, trips, queue: queue.length, admin, firstLoadAtMs } });
});
process.on('SIGTERM', () => process.exit(0));
process.on('disconnect', () => process.exit(0));
