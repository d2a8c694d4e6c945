import type { Socket } from 'node:net';
import { buildConnector } from 'undici';
import { destroyOnTlsAlert } from './tls-connect.js';

export type ConnectOptions = buildConnector.BuildOptions;

/** What undici's connector needs to open one connection to `origin` (an IPv6 host without brackets). */
export function connectOptionsOf(origin: string): buildConnector.Options {
  const url = new URL(origin);
  return {
    hostname: url.hostname.replace(/^\[|\]$/g, ''),
    host: url.host,
    protocol: url.protocol,
    port: url.port,
    servername: null,
    localAddress: null,
  } as unknown as buildConnector.Options;
}

/**
 * An undici connector with connections opened ahead of time.
 *
 * wrk2 connects every connection before its first request is due; undici opens them on demand,
 * so a fresh pool at t0 opens a connection for almost every arrival of the first milliseconds
 * (a client that is still connecting counts as busy, and the next arrival gets a new one). At
 * 5,000 req/s that storm of connects held the schedule lag p99 at 300 ms for the whole first
 * second. `warm()` opens `count` connections before t0 (TCP, and TLS for https: no HTTP request
 * is sent, so the target and the request cap see nothing); undici takes them as it creates
 * clients, and opens more on demand only once every warm one is in use.
 */
export class WarmConnector {
  readonly #connect: buildConnector.connector;
  readonly #spare: Socket[] = [];
  /** Every socket handed to undici and not yet closed. */
  readonly live = new Set<Socket>();
  #closed = false;

  constructor(options: ConnectOptions) {
    this.#connect = buildConnector(options);
  }

  /** The function undici calls when a client needs a socket. */
  readonly connect = (options: buildConnector.Options, callback: buildConnector.Callback): void => {
    for (;;) {
      const socket = this.#spare.pop();
      if (!socket) break;
      socket.removeListener('close', this.#onSpareClosed);
      if (socket.destroyed || !socket.writable || socket.readableEnded) continue;
      // undici awaits the callback; it must not run before this function returns.
      this.#track(socket);
      queueMicrotask(() => callback(null, socket));
      return;
    }
    this.#connect(options, (...args) => {
      if (args[0] === null) this.#track(args[1] as Socket);
      callback(...args);
    });
  };

  /**
   * Opens up to `count` connections to `origin` and waits until each is connected or failed, or
   * `timeoutMs` has passed. Resolves with how many are ready; failures are not errors here (the
   * run counts and classifies what its requests meet).
   */
  async warm(origin: string, count: number, timeoutMs: number): Promise<number> {
    const options = connectOptionsOf(origin);
    let timer: NodeJS.Timeout | undefined;
    const attempts = Array.from(
      { length: count },
      () =>
        new Promise<void>((resolve) => {
          this.#connect(options, (err, socket) => {
            if (!err && socket && !this.#closed) {
              socket.on('error', destroyOnTlsAlert);
              socket.once('close', this.#onSpareClosed);
              this.#spare.push(socket as Socket);
            } else socket?.destroy();
            resolve();
          });
        }),
    );
    await Promise.race([Promise.all(attempts), new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    return this.#spare.length;
  }

  #track(socket: Socket): void {
    this.live.add(socket);
    socket.on('error', destroyOnTlsAlert);
    socket.once('close', () => this.live.delete(socket));
  }

  /** Closes the connections nobody took. */
  close(): void {
    this.#closed = true;
    for (const s of this.#spare.splice(0)) {
      s.removeListener('close', this.#onSpareClosed);
      s.destroy();
    }
  }

  readonly #onSpareClosed = (): void => {
    // The target closed a spare connection (an idle timeout): forget it.
    for (let i = this.#spare.length - 1; i >= 0; i--) if (this.#spare[i]!.destroyed) this.#spare.splice(i, 1);
  };
}
