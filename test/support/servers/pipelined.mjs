// A raw HTTP/1.1 server that answers requests in order, each `delayMs` after it arrived, and
// records how many requests were outstanding on one connection at once: more than one means the
// client pipelined them. Options: { delayMs?: number }
import net from 'node:net';
const o = JSON.parse(process.argv[2] ?? '{}');
const RESPONSE = 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok';
let count = 0;
let connections = 0;
let maxOutstanding = 0;
const server = net.createServer((socket) => {
  connections++;
  let buffered = '';
  let outstanding = 0;
  socket.on('error', () => {});
  socket.on('data', (chunk) => {
    buffered += chunk.toString('latin1');
    for (let end = buffered.indexOf('\r\n\r\n'); end >= 0; end = buffered.indexOf('\r\n\r\n')) {
      buffered = buffered.slice(end + 4);
      count++;
      outstanding++;
      maxOutstanding = Math.max(maxOutstanding, outstanding);
      setTimeout(() => {
        outstanding--;
        if (!socket.destroyed) socket.write(RESPONSE);
      }, o.delayMs ?? 0);
    }
  });
});
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (m) => {
  if (m.type === 'stats') process.send({ id: m.id, stats: { count, connections, maxOutstanding } });
});
process.on('SIGTERM', () => process.exit(0));
process.on('disconnect', () => process.exit(0));
