import type { TlsOptions } from '@overload/core/internal';
import type { Socket } from 'node:net';
import { buildConnector } from 'undici';

/**
 * The undici connect options for a run's TLS settings: the load's connector, the probes and the
 * pre-flight check all build theirs here, so they trust exactly the same certificates.
 * `allowH2` makes the TLS handshake offer ALPN `h2` (undici's connector only does so when asked);
 * undici then speaks HTTP/2 on every connection whose server chose it.
 */
export function tlsConnectOptions(tls: TlsOptions | undefined, http2 = false): buildConnector.BuildOptions {
  return {
    ...(tls?.ca !== undefined ? { ca: tls.ca as string | string[] } : {}),
    ...(tls?.cert !== undefined ? { cert: tls.cert } : {}),
    ...(tls?.key !== undefined ? { key: tls.key } : {}),
    ...(tls?.insecure ? { rejectUnauthorized: false } : {}),
    ...(http2 ? { allowH2: true } : {}),
  } as buildConnector.BuildOptions;
}

/**
 * A connect function with the run's TLS settings, for pools other than the load's (probes, the
 * pre-flight check): undici's own connector, plus the TLS-alert fix below.
 */
export function tlsConnector(tls: TlsOptions | undefined, timeoutMs: number): buildConnector.connector {
  const connect = buildConnector({ ...tlsConnectOptions(tls), timeout: timeoutMs });
  return (options, callback) =>
    connect(options, (...args) => {
      if (args[0] === null) (args[1] as Socket).on('error', destroyOnTlsAlert);
      callback(...args);
    });
}

/**
 * A TLS alert from the server after the handshake (TLS 1.3 sends "certificate required" only
 * then, when a client certificate is missing or refused) is emitted as an error without closing
 * the socket; the close that follows made undici replace it with "other side closed", so a
 * refused handshake looked like a reset. Closing the socket with the alert keeps it as the
 * request's error, and the run classifies it as tlsHandshake.
 */
export function destroyOnTlsAlert(this: Socket, err: Error & { code?: string }): void {
  if (typeof err.code === 'string' && err.code.startsWith('ERR_SSL_') && !this.destroyed) this.destroy(err);
}
