import type { Socket } from 'node:net';
import httpParser from 'http-parser-js';
import type { RequestHandler } from '../request-handler.js';
import type { RequestBytes } from './request-bytes.js';
import { objectArray } from '../hot-arrays.js';

const { HTTPParser } = httpParser;

/** The connection a socket of the hot path's connector belongs to (see `h1ReadOptions`). */
const CONNECTION = Symbol('overload.h1Connection');
/** Bytes a socket read before a connection took it (a server that speaks first), copied. */
const EARLY = Symbol('overload.h1Early');

interface H1Socket extends Socket {
  [CONNECTION]?: H1Connection;
  [EARLY]?: Buffer[];
}

/**
 * net's `onread` for the hot path's plain-TCP sockets: each read lands in one buffer that every
 * socket of the connector shares (one per run and worker), and goes straight to its connection's
 * parser. That skips the readable stream (a Buffer and a 'data' event per read) that the 'data'
 * path pays for: measured pinned to one core at 20,000 req/s, marginal CPU per request lower in
 * 5 of 5 pairs on one host and 3 of 4 on another (docs/benchmarks.md). The buffer is overwritten
 * by the next read, so nothing may keep a body chunk past its `onData` (a journey's capture
 * copies it). Bytes read before a connection takes the socket (a server that speaks first) are
 * copied and kept for it.
 */
export function h1ReadOptions(): { buffer: Buffer; callback: (this: Socket, nread: number, buffer: Buffer) => boolean } {
  return { buffer: Buffer.allocUnsafe(64 * 1024), callback: onH1Read };
}

function onH1Read(this: H1Socket, nread: number, buffer: Buffer): boolean {
  const connection = this[CONNECTION];
  if (connection) connection.read(buffer, nread);
  else (this[EARLY] ??= []).push(Buffer.from(buffer.subarray(0, nread)));
  // Never pause here: the body budget pauses the socket itself (#onBody).
  return true;
}

/** The target closed the connection before a request's response was complete (undici: "other side closed"). */
export class SocketClosedError extends Error {
  readonly code = 'OVL_SOCKET_CLOSED';
  constructor() {
    super('other side closed before the response was complete');
  }
}

/** What the parser says about a response head (http-parser-js's info object). */
interface HeadInfo {
  readonly statusCode: number;
  readonly headers: string[];
  readonly shouldKeepAlive: boolean;
  readonly upgrade: boolean;
}

/** A request waiting for, or on, a connection. */
export interface H1Request {
  readonly request: RequestBytes;
  readonly handler: RequestHandler;
}

/** What a connection tells its client. */
export interface ConnectionOwner {
  /** The connection can take another request (a response ended, or it just connected). */
  available(connection: H1Connection): void;
  /** The connection is gone (closed, failed, or destroyed): forget it. */
  gone(connection: H1Connection): void;
}

/**
 * One HTTP/1.1 connection of the hot path: writes whole prepared requests, parses the responses
 * with http-parser-js (in the order the requests were written: pipelining keeps several in
 * `#inFlight`), hands each response's status and body chunks to its request's handler, and drops
 * the bodies. A response the handler pauses (the body-read budget) pauses the socket.
 *
 * Every request written here ends in exactly one of the handler's onComplete or onError, unless
 * the send loop settled it first (a timeout, the end of the drain): then its `abort` destroys the
 * connection, and whatever else was in flight on it fails as closed by the other side.
 */
export class H1Connection {
  readonly #socket: Socket;
  readonly #owner: ConnectionOwner;
  readonly #parser = new HTTPParser(HTTPParser.RESPONSE);
  readonly #inFlight = objectArray<H1Request>();
  #current: H1Request | undefined;
  /** The response being parsed is informational (1xx): another head follows for the same request. */
  #informational = false;
  /** The target or a request said `connection: close`: nothing more is written here. */
  #closing = false;
  #gone = false;
  /** In its client's list of connections with room (the client keeps it, so the list holds a connection once). */
  listed = false;
  readonly #abort = (): void => this.destroy(new SocketClosedError());
  readonly #resume = (): void => {
    if (!this.#gone) this.#socket.resume();
  };

  /** `onread`: the socket was opened with `h1ReadOptions()` (its reads come to `read`, not as 'data'). */
  constructor(socket: Socket, owner: ConnectionOwner, onread: boolean) {
    this.#socket = socket;
    this.#owner = owner;
    const parser = this.#parser as unknown as Record<number, unknown>;
    parser[HTTPParser.kOnHeadersComplete] = this.#onHead;
    parser[HTTPParser.kOnBody] = this.#onBody;
    parser[HTTPParser.kOnMessageComplete] = this.#onMessageComplete;
    socket.on('error', this.#onError);
    socket.on('close', this.#onClose);
    if (!onread) {
      socket.on('data', this.#onData);
      return;
    }
    const h1Socket = socket as H1Socket;
    h1Socket[CONNECTION] = this;
    const early = h1Socket[EARLY];
    if (early) {
      h1Socket[EARLY] = undefined;
      // When the 'data' path's stream had bytes buffered, they flowed on the next tick, after the
      // client's first writes on this connection: parse them at the same point.
      process.nextTick(() => {
        for (const chunk of early) if (!this.#gone) this.#onData(chunk);
      });
    }
  }

  get inFlight(): number {
    return this.#inFlight.length;
  }

  /** Takes another request: false when it is closing or gone (the request was not written). */
  get usable(): boolean {
    return !this.#closing && !this.#gone;
  }

  /** Writes a request now (its handler's written time is this moment). The client never passes a settled one. */
  write(req: H1Request): void {
    this.#inFlight.push(req);
    if (req.request.close) this.#closing = true;
    req.handler.onConnect(this.#abort);
    this.#socket.write(req.request.bytes);
  }

  /** Closes the connection; requests still in flight on it fail with `error` (unless already settled). */
  destroy(error: Error): void {
    if (this.#gone) return;
    this.#gone = true;
    this.#socket.destroy();
    this.#failAll(error);
    this.#owner.gone(this);
  }

  /** A read of `nread` bytes into `buffer` (the `onread` path). */
  read(buffer: Buffer, nread: number): void {
    this.#parse(buffer, nread);
  }

  readonly #onData = (chunk: Buffer): void => {
    this.#parse(chunk, chunk.length);
  };

  #parse(chunk: Buffer, length: number): void {
    let result: number | Error;
    try {
      result = this.#parser.execute(chunk, 0, length);
    } catch (error) {
      // Thrown from a callback (#onHead refusing a response): http-parser-js passes those on.
      result = error as Error;
    }
    if (result instanceof Error) this.destroy(protocolError(result));
  }

  readonly #onHead = (info: HeadInfo): number | undefined => {
    const req = this.#inFlight[0];
    if (!req) throw Object.assign(new Error('a response with no request'), { code: 'HPE_UNEXPECTED_RESPONSE' });
    const status = info.statusCode;
    if (status < 200) {
      // 101 switches to something that is not HTTP: the connection cannot carry more requests.
      if (status === 101 || info.upgrade) throw Object.assign(new Error('unexpected 101 Switching Protocols'), { code: 'HPE_UPGRADE' });
      this.#informational = true;
      return 0;
    }
    this.#current = req;
    if (!info.shouldKeepAlive) this.#closing = true;
    if (!req.handler.settled) req.handler.onHeaders(status, info.headers, this.#resume);
    // HEAD: no body follows, whatever content-length says (1: skip the body).
    return req.request.head ? 1 : 0;
  };

  readonly #onBody = (chunk: Buffer): void => {
    const handler = this.#current?.handler;
    if (handler && !handler.settled && !handler.onData(chunk)) this.#socket.pause();
  };

  readonly #onMessageComplete = (): void => {
    if (this.#informational) {
      this.#informational = false;
      return;
    }
    const req = this.#inFlight.shift();
    this.#current = undefined;
    if (req && !req.handler.settled) req.handler.onComplete();
    if (this.#gone) return;
    if (this.#closing) {
      if (this.#inFlight.length === 0) this.destroy(new SocketClosedError());
    } else this.#owner.available(this);
  };

  readonly #onError = (error: Error): void => {
    this.destroy(error);
  };

  readonly #onClose = (): void => {
    if (this.#gone) return;
    // A body framed by the end of the connection (no content-length, not chunked) ends here.
    if (this.#current !== undefined && (this.#parser as unknown as { state: string }).state === 'BODY_RAW') this.#parser.finish();
    this.destroy(new SocketClosedError());
  };

  #failAll(error: Error): void {
    const failed = this.#inFlight.splice(0);
    this.#current = undefined;
    for (const req of failed) if (!req.handler.settled) req.handler.onError(error);
  }
}

/** http-parser-js's errors: a parse error carries its HPE_ code; the header-size limit does not. */
function protocolError(error: Error): Error {
  const e = error as Error & { code?: string };
  if (typeof e.code !== 'string') e.code = 'HPE_HEADER_OVERFLOW';
  return e;
}
