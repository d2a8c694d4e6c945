import type { ErrorClass } from '@overload/core';

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
  OVL_REQUEST_TIMEOUT: 'timeout',
  ETIMEDOUT: 'timeout',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'protocol',
  UND_ERR_REQ_CONTENT_LENGTH_MISMATCH: 'protocol',
  UND_ERR_INFO: 'protocol',
  UND_ERR_RES_EXCEEDED_MAX_SIZE: 'protocol',
};

/** Maps an undici / socket error to a stable class by its `code` (never by message text). */
export function classifyError(error: unknown): ErrorClass {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return 'other';
  const known = BY_CODE[code];
  if (known) return known;
  if (code.startsWith('HPE_')) return 'protocol';
  return 'other';
}
