import { type AddressInfo, connect, createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { H1Client } from '../src/h1/h1-client.js';
import { h1ReadOptions } from '../src/h1/h1-connection.js';
import { plainRequestBytes } from '../src/h1/request-bytes.js';
import type { RequestHandler } from '../src/request-handler.js';

/** A request's handler that records what happened to it. */
function handler() {
  let complete!: () => void;
  const done = new Promise<void>((resolve) => {
    complete = resolve;
  });
  const h = {
    settled: false,
    error: undefined as Error | undefined,
    written: false,
    status: 0,
    done,
    onConnect() {
      h.written = true;
    },
    onHeaders(status: number) {
      h.status = status;
      return true;
    },
    onData: () => true,
    onComplete() {
      h.settled = true;
      complete();
    },
    onError(error: Error) {
      h.settled = true;
      h.error = error;
      complete();
    },
  };
  return h;
}

/**
 * A raw server that answers a connection's first request at once and holds the rest until
 * `release()`, then answers them in order. It counts the requests outstanding on one connection.
 */
function holdingServer() {
  let maxOutstanding = 0;
  let received = 0;
  const held: (() => void)[] = [];
  let released = false;
  let onReceived = (): void => {};
  const RESPONSE = 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok';
  const server = createServer((socket) => {
    let buffered = '';
    let outstanding = 0;
    let first = true;
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      for (let end = buffered.indexOf('\r\n\r\n'); end >= 0; end = buffered.indexOf('\r\n\r\n')) {
        buffered = buffered.slice(end + 4);
        received++;
        onReceived();
        outstanding++;
        maxOutstanding = Math.max(maxOutstanding, outstanding);
        if (first || released) {
          first = false;
          outstanding--;
          socket.write(RESPONSE);
        } else
          held.push(() => {
            outstanding--;
            socket.write(RESPONSE);
          });
      }
    });
  });
  return {
    server,
    stats: () => ({ maxOutstanding, received }),
    /** Resolves once `n` requests have arrived. */
    received: (n: number) =>
      new Promise<void>((resolve) => {
        onReceived = () => {
          if (received >= n) resolve();
        };
        onReceived();
      }),
    release() {
      released = true;
      for (const answer of held.splice(0)) answer();
    },
  };
}

describe("the hot path's client", () => {
  let close: (() => void) | undefined;
  afterEach(() => close?.());

  it('never has more requests on a connection than pipelining allows, after a response ends on a connection that still had room', async () => {
    const target = holdingServer();
    await new Promise<void>((resolve) => target.server.listen(0, '127.0.0.1', resolve));
    const port = (target.server.address() as AddressInfo).port;
    const client = new H1Client({
      origin: `http://127.0.0.1:${port}`,
      connections: 1,
      pipelining: 4,
      connect: (_options, callback) => {
        // As the run opens the hot path's plain-TCP sockets: reads go to the connection (onread).
        const socket = connect({ port, host: '127.0.0.1', onread: h1ReadOptions() });
        socket.once('connect', () => callback(null, socket));
        socket.once('error', (error) => callback(error, null));
      },
      onread: true,
    });
    close = () => {
      void client.destroy();
      target.server.close();
    };
    const request = plainRequestBytes('GET', '/', `127.0.0.1:${port}`, {}, undefined)!;
    const send = () => {
      const h = handler();
      client.dispatch(request, h as unknown as RequestHandler);
      return h;
    };

    // A is answered at once and B is held: the connection still has room when A's response ends.
    const a = send();
    const b = send();
    await a.done;
    expect(b.written).toBe(true);
    // B, C, D and E fill the connection; F waits for room.
    const [c, d, e, f] = [send(), send(), send(), send()];
    expect([c.written, d.written, e.written]).toEqual([true, true, true]);
    expect(f.written).toBe(false);

    // The server holds B to E before it answers them.
    await target.received(5);
    target.release();
    await Promise.all([b.done, c.done, d.done, e.done, f.done]);
    expect([a, b, c, d, e, f].map((h) => h.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(target.stats()).toEqual({ maxOutstanding: 4, received: 6 });
  });

  it('parses bytes a server sent before any request as the stream-reading path does', async () => {
    // A server that speaks first: a whole response the moment a connection opens, then a 404 for
    // every request it receives.
    const server = createServer((socket) => {
      socket.on('error', () => {});
      socket.write('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n');
      socket.on('data', () => socket.write('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    close = () => server.close();
    const request = plainRequestBytes('GET', '/', `127.0.0.1:${port}`, {}, undefined)!;

    /** One request on a socket that has been open, idle, for 100 ms: its early bytes were read. */
    const outcome = async (onread: boolean) => {
      const socket = connect({ port, host: '127.0.0.1', ...(onread ? { onread: h1ReadOptions() } : {}) });
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const client = new H1Client({
        origin: `http://127.0.0.1:${port}`,
        connections: 1,
        pipelining: 1,
        connect: (_options, callback) => callback(null, socket),
        onread,
      });
      const h = handler();
      client.dispatch(request, h as unknown as RequestHandler);
      await h.done;
      await client.destroy();
      return { status: h.status, error: h.error?.message };
    };

    const stream = await outcome(false);
    expect(stream).toEqual({ status: 200, error: undefined });
    expect(await outcome(true)).toEqual(stream);
  });
});
