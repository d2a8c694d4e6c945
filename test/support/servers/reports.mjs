// A report service for journey tests. It records every id it created (and which journey, by the
// x-journey header, created it) and every document it served, so a test can check that each
// download names an id the same journey created.
//   POST /reports            -> 202 {"id": "r-<n>", "status": "queued"}; body echoed into `bodies`
//   GET  /reports/:id        -> 200 {"id", "status": "queued" | "done"} (done readyMs after creation), 404 unknown
//   GET  /reports/:id/document -> 200 document when done, 409 not yet, 404 unknown
// Options: { readyMs?: number, neverReady?: boolean, omitId?: boolean }
import http from 'node:http';
const o = JSON.parse(process.argv[2] ?? '{}');
const reports = new Map();
const stats = { created: 0, polls: 0, downloads: 0, notFound: 0, notReady: 0, mismatched: 0, arrivalsMs: [], bodies: [] };
let first = 0;
let seq = 0;
const send = (res, status, body) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};
const server = http.createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    const now = performance.now();
    const journey = req.headers['x-journey'];
    const path = req.url.split('?')[0];
    if (req.method === 'POST' && path === '/reports') {
      if (stats.arrivalsMs.length === 0) first = now;
      stats.arrivalsMs.push(now - first);
      if (stats.bodies.length < 1000) stats.bodies.push(body);
      const id = `r-${++seq}`;
      reports.set(id, { journey, createdAt: now });
      stats.created++;
      return send(res, 202, o.omitId ? { status: 'queued' } : { id, status: 'queued' });
    }
    const m = /^\/reports\/([^/]+)(\/document)?$/.exec(path);
    const report = m && reports.get(m[1]);
    if (!report) {
      stats.notFound++;
      return send(res, 404, { error: 'unknown report' });
    }
    const done = !o.neverReady && now - report.createdAt >= (o.readyMs ?? 0);
    if (!m[2]) {
      stats.polls++;
      return send(res, 200, { id: m[1], status: done ? 'done' : 'queued' });
    }
    if (!done) {
      stats.notReady++;
      return send(res, 409, { error: 'not ready' });
    }
    stats.downloads++;
    if (report.journey !== journey) stats.mismatched++;
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`document ${m[1]}`);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (m) => {
  if (m.type === 'stats') process.send({ id: m.id, stats: { count: stats.created, ...stats } });
});
process.on('SIGTERM', () => process.exit(0));
process.on('disconnect', () => process.exit(0));
