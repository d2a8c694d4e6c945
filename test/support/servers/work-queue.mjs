// A work queue whose drain is known by construction, for the pinch test. POST /work answers 202
// at once and queues one item; the consumers take items at exactly drainRps by this process's
// clock (a credit that grows with elapsed time, as a token bucket, so late timers never slow the
// rate), while running. POST /admin/consumers/pause stops them (the queue grows with every POST);
// POST /admin/consumers/resume starts them again with no credit saved up, so the backlog drains
// at drainRps minus the arrival rate. GET /metrics: work_queue_depth (gauge), work_done_total
// (counter). stats: requests received (any path, count), when the resume arrived and the queue first hit 0 after it (ms since start),
// the queue at the resume, and the done count.
// Options: { drainRps }
import http from 'node:http';
const o = JSON.parse(process.argv[2] ?? '{}');
const drainRps = o.drainRps ?? 300;
const startedAt = performance.now();
let queue = 0;
let received = 0;
let done = 0;
let running = true;
let credit = 0;
let last = performance.now();
let resumedAtMs;
let queueAtResume;
let drainedAtMs;

setInterval(() => {
  const now = performance.now();
  if (running) credit += ((now - last) * drainRps) / 1000;
  last = now;
  const take = Math.min(queue, Math.floor(credit));
  queue -= take;
  done += take;
  credit -= take;
  // An idle consumer saves up no more than one item's credit.
  if (queue === 0) credit = Math.min(credit, 1);
  if (queue === 0 && resumedAtMs !== undefined && drainedAtMs === undefined) drainedAtMs = now - startedAt;
}, 1).unref();

const server = http.createServer((req, res) => {
  req.resume();
  received++;
  if (req.url === '/metrics') {
    res.setHeader('content-type', 'text/plain; version=0.0.4');
    res.end(`# TYPE work_queue_depth gauge\nwork_queue_depth ${queue}\n# TYPE work_done_total counter\nwork_done_total ${done}\n`);
    return;
  }
  if (req.url === '/admin/consumers/pause' || req.url === '/admin/consumers/resume') {
    running = req.url.endsWith('resume');
    if (running) {
      resumedAtMs = performance.now() - startedAt;
      queueAtResume = queue;
      last = performance.now();
      credit = 0;
    }
    res.end(running ? 'running' : 'paused');
    return;
  }
  queue++;
  res.statusCode = 202;
  res.end('queued');
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (m) => {
  if (m.type === 'stats') process.send({ id: m.id, stats: { count: received, done, queue, resumedAtMs, queueAtResume, drainedAtMs } });
});
process.on('SIGTERM', () => process.exit(0));
process.on('disconnect', () => process.exit(0));
