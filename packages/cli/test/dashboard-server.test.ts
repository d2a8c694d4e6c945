import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type DashboardServer, MAX_VIEWER_BACKLOG_BYTES, startDashboardServer } from '../dist/dashboard/dashboard-server.js';

/** A viewer on a raw socket: reads the event stream as it comes, or not at all when `paused`. */
function viewer(server: DashboardServer, options: { lastEventId?: number; paused?: boolean } = {}) {
  const { hostname, port } = new URL(server.url);
  const token = /#token=(.+)$/.exec(server.openUrl)![1];
  const socket: Socket = connect({ host: hostname, port: Number(port) });
  if (options.paused) socket.pause();
  let text = '';
  socket.setEncoding('utf8').on('data', (d: string) => (text += d));
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.write(
    `GET /events?token=${token} HTTP/1.1\r\nhost: ${hostname}\r\n${options.lastEventId ? `last-event-id: ${options.lastEventId}\r\n` : ''}\r\n`,
  );
  return {
    socket,
    closed,
    text: () => text,
    /** The ids of the events received so far, in order. */
    ids: () => [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1])),
  };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

describe('the dashboard server', () => {
  let server: DashboardServer;
  afterEach(() => server?.close());

  it('serialises each event once for every viewer, and sends a reconnecting viewer only what it missed', async () => {
    server = await startDashboardServer({ port: 0, host: '127.0.0.1', status: () => ({}), stop: () => undefined });
    const viewers = [viewer(server), viewer(server), viewer(server)];
    await until(() => server.viewers === 3, 'three viewers');
    let serialised = 0;
    for (let i = 1; i <= 5; i++) server.publish('interval', { i, toJSON: () => (serialised++, { i }) });
    expect(serialised).toBe(5);
    await until(() => viewers.every((v) => v.ids().length === 5), 'every event at every viewer');
    for (const v of viewers) expect(v.ids()).toEqual([1, 2, 3, 4, 5]);
    // A browser that lost the stream after event 3 gets 4 and 5 again, nothing it already drew.
    const back = viewer(server, { lastEventId: 3 });
    await until(() => back.ids().length === 2, 'the missed events');
    server.publish('interval', { i: 6 });
    await until(() => back.ids().length === 3, 'the next event');
    expect(back.ids()).toEqual([4, 5, 6]);
    for (const v of [...viewers, back]) v.socket.destroy();
  });

  it('drops a viewer that stops reading instead of buffering for it, and keeps serving the others', async () => {
    server = await startDashboardServer({ port: 0, host: '127.0.0.1', status: () => ({}), stop: () => undefined });
    const slow = viewer(server, { paused: true });
    const fast = viewer(server);
    await until(() => server.viewers === 2, 'two viewers');
    // 12 MiB in 64 KiB events: more than the loopback socket's kernel buffers (Linux lets its send
    // side grow to 4 MiB, the paused side takes ~128 KiB) and the server's allowance together.
    const payload = 'x'.repeat(64 * 1024);
    const total = Math.ceil((12 * MAX_VIEWER_BACKLOG_BYTES) / payload.length);
    for (let i = 0; i < total; i++) {
      server.publish('probe', { payload });
      await new Promise((r) => setImmediate(r));
    }
    expect(server.viewers).toBe(1);
    await until(() => fast.ids().length === total, 'every event at the fast viewer');
    // The slow viewer's connection was cut: reading now, it finds what the kernel held, then the end.
    slow.socket.resume();
    await slow.closed;
    expect(slow.ids().length).toBeLessThan(total);
    fast.socket.destroy();
  });

  it('answers the page without the token, and everything else only with it', async () => {
    const stops: string[] = [];
    server = await startDashboardServer({ port: 0, host: '127.0.0.1', status: () => ({ phase: 'ramp' }), stop: (by) => stops.push(by) });
    server.publish('start', { target: 'http://secret-target.example' }, { pinned: true });
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("connect-src 'self'");
    expect(await page.text()).not.toContain('secret-target');
    for (const [method, path] of [
      ['GET', '/events'],
      ['GET', '/status'],
      ['POST', '/stop'],
    ] as const) {
      expect((await fetch(`${server.url}${path}`, { method })).status, path).toBe(401);
      expect((await fetch(`${server.url}${path}?token=wrong`, { method })).status, path).toBe(401);
    }
    expect(stops).toEqual([]);
    const token = /#token=(.+)$/.exec(server.openUrl)![1];
    const status = await fetch(`${server.url}/status`, { headers: { authorization: `Bearer ${token}` } });
    expect(await status.json()).toEqual({ phase: 'ramp' });
    expect((await fetch(`${server.url}/stop`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status).toBe(202);
    expect(stops).toEqual([expect.stringMatching(/^the dashboard \(POST \/stop from /)]);
  });
});
