// Misbehaves on purpose. Options: { resetEvery: n } — every n-th request gets headers and half a
// body, then the socket is destroyed mid-response; { hangEvery: n } — every n-th request is never
// answered; { status: code, statusEvery: n } — every n-th request answers with that status.
import http from 'node:http';
const o = JSON.parse(process.argv[2] ?? '{}');
let count = 0;
const counts = { reset: 0, hang: 0, status: 0, ok: 0 };
const server = http.createServer((req, res) => {
  const n = ++count;
  req.resume();
  if (o.resetEvery && n % o.resetEvery === 0) {
    counts.reset++;
    res.writeHead(200, { 'content-length': '1000' });
    res.write('x'.repeat(500));
    setImmediate(() => req.socket.destroy());
    return;
  }
  if (o.hangEvery && n % o.hangEvery === 0) {
    counts.hang++;
    return;
  }
  if (o.statusEvery && n % o.statusEvery === 0) {
    counts.status++;
    res.statusCode = o.status ?? 500;
    res.end('no');
    return;
  }
  counts.ok++;
  res.end('ok');
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (m) => {
  if (m.type === 'stats') process.send({ id: m.id, stats: { count, ...counts } });
});
process.on('SIGTERM', () => process.exit(0));
process.on('disconnect', () => process.exit(0));
