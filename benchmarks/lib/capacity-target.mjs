/**
 * The compare-honesty bench's target (see ../compare-honesty.mjs): a fixed capacity, served in
 * arrival order, like a pool of workers in front of a slow dependency. At most `capacityRps`
 * requests a second leave the queue; each then waits `addedMs` more before its answer (a slower
 * downstream call that holds no worker: it adds latency at every rate and leaves the capacity
 * alone). `GET /metrics` (not queued) gives the queue depth, for a probe.
 *
 * Runs as a child process and reports its port over IPC; listens on 127.0.0.1 only.
 * argv[2]: JSON { capacityRps, addedMs, port? } (a fixed port gives every run the same target URL)
 */
import { createServer } from 'node:http';

const o = JSON.parse(process.argv[2] ?? '{}');
const capacityRps = o.capacityRps ?? 400;
const addedMs = o.addedMs ?? 0;
const queue = [];
let last = performance.now();
let budget = 0;

const answer = (res) => (addedMs > 0 ? setTimeout(() => res.end('ok'), addedMs) : res.end('ok'));

// Every 2 ms, as many requests leave the queue as the capacity allows since the last tick; a
// quiet target cannot bank more than one request of credit (no burst after an idle spell).
setInterval(() => {
  const now = performance.now();
  budget = Math.min(budget + ((now - last) * capacityRps) / 1000, capacityRps * 0.01 + 1);
  last = now;
  while (budget >= 1 && queue.length > 0) {
    budget -= 1;
    answer(queue.shift());
  }
  if (queue.length === 0) budget = Math.min(budget, 1);
}, 2).unref();

const server = createServer((req, res) => {
  req.resume();
  if (req.url === '/metrics') {
    res.setHeader('content-type', 'text/plain; version=0.0.4');
    res.end(`# TYPE queue_depth gauge\nqueue_depth ${queue.length}\n`);
    return;
  }
  queue.push(res);
});
server.keepAliveTimeout = 75_000;
server.listen(o.port ?? 0, '127.0.0.1', () => process.send({ port: server.address().port }));
// The parent kills us by PID; also leave if it disappears.
process.on('disconnect', () => process.exit(0));
