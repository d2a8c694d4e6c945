import type { ErrorClass } from '@overload/core/internal';

/** Our own total-time timeout (undici's headers/body timeouts are inactivity timers). */
export class RequestTimeoutError extends Error {
  readonly code = 'OVL_REQUEST_TIMEOUT';
  constructor(timeoutMs: number) {
    super(`request did not complete within ${timeoutMs} ms`);
  }
}

const BY_CODE: Record<string, ErrorClass> = {
  ECONNREFUSED: 'refused',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  UND_ERR_SOCKET: 'reset',
  UND_ERR_CLOSED: 'reset',
  // The hot path's "other side closed" (h1/h1-connection.ts), as undici's UND_ERR_SOCKET.
  OVL_SOCKET_CLOSED: 'reset',
  OVL_REQUEST_TIMEOUT: 'timeout',
  ETIMEDOUT: 'timeout',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'protocol',
  UND_ERR_REQ_CONTENT_LENGTH_MISMATCH: 'protocol',
  UND_ERR_INFO: 'protocol',
  UND_ERR_RES_EXCEEDED_MAX_SIZE: 'protocol',
  // node:http2 and undici's HTTP/2 client: a stream or session the peer broke off.
  ERR_HTTP2_STREAM_ERROR: 'reset',
  ERR_HTTP2_SESSION_ERROR: 'reset',
  ERR_HTTP2_GOAWAY_SESSION: 'reset',
  ERR_HTTP2_ERROR: 'protocol',
  ERR_HTTP2_INVALID_SESSION: 'reset',
  // Certificate verification (OpenSSL's X509 codes, as node:tls reports them).
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'tlsUnknownCa',
  UNABLE_TO_GET_ISSUER_CERT: 'tlsUnknownCa',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'tlsUnknownCa',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'tlsUnknownCa',
  SELF_SIGNED_CERT_IN_CHAIN: 'tlsUnknownCa',
  CERT_UNTRUSTED: 'tlsUnknownCa',
  CERT_REJECTED: 'tlsUnknownCa',
  CERT_SIGNATURE_FAILURE: 'tlsUnknownCa',
  INVALID_CA: 'tlsUnknownCa',
  ERR_TLS_CERT_ALTNAME_INVALID: 'tlsHostname',
  HOSTNAME_MISMATCH: 'tlsHostname',
  CERT_HAS_EXPIRED: 'tlsExpired',
  CERT_NOT_YET_VALID: 'tlsExpired',
  ERR_TLS_HANDSHAKE_TIMEOUT: 'tlsHandshake',
  EPROTO: 'tlsHandshake',
};

/** Maps an undici / socket / TLS error to a stable class by its `code` (never by message text). */
export function classifyError(error: unknown): ErrorClass {
  const code = (error as { code?: unknown } | null)?.code;
  // undici's HTTP/1.1 parser errors lose their HPE_ code (it looks the number up in a name → number
  // table); the class name is as stable, and says what happened: bytes that are not HTTP.
  if (typeof code !== 'string') return (error as { name?: unknown } | null)?.name === 'HTTPParserError' ? 'protocol' : 'other';
  const known = BY_CODE[code];
  if (known) return known;
  if (code.startsWith('HPE_')) return 'protocol';
  // OpenSSL alerts and handshake failures: ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE, a server that
  // wants a client certificate (…_CERTIFICATE_REQUIRED), a plain-HTTP peer (…_WRONG_VERSION_NUMBER).
  if (code.startsWith('ERR_SSL_')) return 'tlsHandshake';
  return 'other';
}

const TLS_ADVICE: Partial<Record<ErrorClass, string>> = {
  tlsUnknownCa:
    'its certificate is not signed by a trusted CA (give the CA with --ca, or tls.ca in the scenario; --insecure to skip the check)',
  tlsHostname: 'its certificate is for another host name (use the name it was issued for; --insecure to skip the check)',
  tlsExpired: 'its certificate has expired or is not valid yet (--insecure to skip the check)',
  tlsHandshake: 'the TLS handshake was refused (a client certificate it wants? --cert/--key; or a peer that does not speak TLS)',
};

/**
 * What went wrong, for a person: the TLS advice for a TLS class, then the error's own code and
 * message (`its certificate is for another host name (ERR_TLS_CERT_ALTNAME_INVALID: …)`). Only
 * the error's code and message are quoted, never request headers or bodies.
 */
export function explainError(error: unknown, errorClass: ErrorClass): string {
  const code = (error as { code?: unknown } | null)?.code;
  let message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim();
  // OpenSSL's messages carry their own address and source line: keep the reason
  // ("…:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:…" → "tlsv13 alert certificate required").
  const openssl = /:SSL routines:[^:]*:([^:]+):/.exec(message);
  if (openssl) message = openssl[1]!;
  const detail = `${typeof code === 'string' ? `${code}: ` : ''}${message}`.slice(0, 240);
  const advice = TLS_ADVICE[errorClass];
  return advice ? `${advice} (${detail})` : detail;
}

/** The same, naming the host: `127.0.0.1:8443: its certificate is for another host name (…)`. */
export function describeError(error: unknown, errorClass: ErrorClass, origin: string): string {
  const url = new URL(origin);
  return `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}: ${explainError(error, errorClass)}`;
}
