// Counts requests and records each arrival time (ms since the first request), answers 200.
// Options: { delayMs?: number, status?: number }
import http from 'node:http';
const options = JSON.parse(process.argv[2] ?? '{}');
const arrivals = [];
// The first requests as seen on the wire (method, path, run id header, body), for mix checks.
const requests = [];
let first = 0;
let firstEpochMs = 0;
// When each connection was accepted (epoch ms): the client's warm-up shows as connections
// accepted before the first request.
const connectionsEpochMs = [];
const server = http.createServer((req, res) => {
  const now = performance.now();
  if (arrivals.length === 0) {
    first = now;
    firstEpochMs = performance.timeOrigin + now;
  }
  arrivals.push(now - first);
  if (requests.length < 2000) {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => (body += d));
    req.on('end', () =>
      requests.push({
        method: req.method,
        path: req.url,
        runId: req.headers['x-overload-run'] ?? null,
        body,
        authorization: req.headers.authorization ?? null,
        apiKey: req.headers['x-api-key'] ?? null,
      }),
    );
  } else req.resume();
  const reply = () => {
    res.statusCode = options.status ?? 200;
    res.end('ok');
  };
  if (options.delayMs) setTimeout(reply, options.delayMs);
  else reply();
});
server.on('connection', () => connectionsEpochMs.push(performance.timeOrigin + performance.now()));
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (m) => {
  if (m.type === 'stats')
    process.send({ id: m.id, stats: { count: arrivals.length, arrivalsMs: arrivals, firstEpochMs, requests, connectionsEpochMs } });
});
process.on('SIGTERM', () => process.exit(0));
process.on('disconnect', () => process.exit(0));
