// Sheds load it cannot serve with fast 503s instead of queueing it (a load shedder, an
// admission limiter): at most capacityRps requests a second get 200 after serviceMs; every
// request beyond that gets 503 at once. Its latency stays low however hard it is pushed, which
// is exactly what must not pass for health. Options: { capacityRps, serviceMs }
import http from 'node:http';
const o = { capacityRps: 400, serviceMs: 2, ...JSON.parse(process.argv[2] ?? '{}') };
let tokens = o.capacityRps / 100;
let last = performance.now();
let count = 0;
let shed = 0;
const server = http.createServer((req, res) => {
  req.resume();
  count++;
  const now = performance.now();
  // A token bucket with 10 ms of burst: capacity is a rate, not a per-second quota.
  tokens = Math.min(o.capacityRps / 100, tokens + ((now - last) * o.capacityRps) / 1000);
  last = now;
  if (tokens < 1) {
    shed++;
    res.statusCode = 503;
    res.end('shed');
    return;
  }
  tokens -= 1;
  setTimeout(() => res.end('ok'), o.serviceMs);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (m) => {
  if (m.type === 'stats') process.send({ id: m.id, stats: { count, shed } });
});
process.on('SIGTERM', () => process.exit(0));
process.on('disconnect', () => process.exit(0));
