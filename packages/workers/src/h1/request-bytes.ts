/**
 * A request as the bytes the hot path writes: request line, headers and body in one Buffer, built
 * once (a URL target's one request, for the whole run) or once per rendered request (a scenario's).
 * Only plain requests are written here; anything unusual goes to undici, which knows what to do
 * with it (or refuses it with its own error, as before): see `plainRequestBytes`.
 */

/** Headers that change how a request or its response is framed: undici handles those. */
const FRAMING = new Set(['content-length', 'transfer-encoding', 'expect', 'upgrade', 'te', 'trailer', 'keep-alive', 'proxy-connection']);
/** A header name (RFC 9110 token) and a value without control characters. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: a value with control characters is refused here
const BAD_VALUE = /[\x00-\x08\x0a-\x1f\x7f]/;

export interface RequestBytes {
  readonly bytes: Buffer;
  /** HEAD: the response has no body, whatever its headers say. */
  readonly head: boolean;
  /** The request asked for `connection: close`: the connection is not used again. */
  readonly close: boolean;
}

/**
 * The bytes of a plain HTTP/1.1 request, laid out as undici lays them out (request line, `host`,
 * `connection`, the headers in order, `content-length` when there is a body), or undefined when the
 * request is not plain: a method that changes the connection (CONNECT), a header that changes the
 * framing (content-length, transfer-encoding, expect, upgrade…), a `connection` other than
 * keep-alive/close, a header name or value undici would refuse, or a path that is not origin-form.
 */
export function plainRequestBytes(
  method: string,
  path: string,
  host: string,
  headers: Readonly<Record<string, string>> | undefined,
  body: string | undefined,
): RequestBytes | undefined {
  if (method === 'CONNECT' || !TOKEN.test(method) || path[0] !== '/' || BAD_VALUE.test(path) || /\s/.test(path)) return undefined;
  let hostLine = `host: ${host}\r\n`;
  let connection = 'keep-alive';
  let lines = '';
  for (const name in headers) {
    const value = headers[name]!;
    if (typeof value !== 'string' || !TOKEN.test(name) || BAD_VALUE.test(value)) return undefined;
    const lower = name.toLowerCase();
    if (FRAMING.has(lower)) return undefined;
    if (lower === 'host') hostLine = `${name}: ${value}\r\n`;
    else if (lower === 'connection') {
      const v = value.trim().toLowerCase();
      if (v !== 'close' && v !== 'keep-alive') return undefined;
      connection = v;
    } else lines += `${name}: ${value}\r\n`;
  }
  const payload = body === undefined ? undefined : Buffer.from(body, 'utf8');
  const head =
    `${method} ${path} HTTP/1.1\r\n${hostLine}connection: ${connection}\r\n${lines}` +
    `${payload !== undefined ? `content-length: ${payload.length}\r\n` : ''}\r\n`;
  const headBytes = Buffer.from(head, 'latin1');
  return {
    bytes: payload !== undefined && payload.length > 0 ? Buffer.concat([headBytes, payload]) : headBytes,
    head: method === 'HEAD',
    close: connection === 'close',
  };
}
