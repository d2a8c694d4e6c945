import type { TlsOptions } from '@overload/core';
import type { buildConnector } from 'undici';

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
