import { describe, expect, it } from 'vitest';
import { plainRequestBytes } from '../src/h1/request-bytes.js';

describe('the hot path writes plain requests as undici lays them out, and leaves the rest to undici', () => {
  it('lays out the request line, host, connection, the headers in order and content-length with the body', () => {
    const r = plainRequestBytes('POST', '/reports?x=1', '127.0.0.1:8080', { 'x-overload-run': 'r1', accept: 'application/json' }, 'é!');
    expect(r?.bytes.toString('latin1')).toBe(
      'POST /reports?x=1 HTTP/1.1\r\nhost: 127.0.0.1:8080\r\nconnection: keep-alive\r\nx-overload-run: r1\r\naccept: application/json\r\n' +
        `content-length: 3\r\n\r\n${Buffer.from('é!', 'utf8').toString('latin1')}`,
    );
    expect(r?.head).toBe(false);
    expect(r?.close).toBe(false);
  });

  it('keeps a host header and connection: close given by the user, and knows HEAD has no body', () => {
    const r = plainRequestBytes('HEAD', '/', '127.0.0.1:8080', { Host: 'api.example', Connection: 'close' }, undefined);
    expect(r?.bytes.toString('latin1')).toBe('HEAD / HTTP/1.1\r\nHost: api.example\r\nconnection: close\r\n\r\n');
    expect(r?.head).toBe(true);
    expect(r?.close).toBe(true);
  });

  it.each([
    ['CONNECT', '/', {}],
    ['GET', '/', { 'content-length': '5' }],
    ['GET', '/', { 'Transfer-Encoding': 'chunked' }],
    ['POST', '/', { expect: '100-continue' }],
    ['GET', '/', { upgrade: 'websocket' }],
    ['GET', '/', { connection: 'upgrade' }],
    ['GET', '/', { 'x-bad': 'a\r\nb' }],
    ['GET', '/', { 'bad name': 'v' }],
    ['GET', 'http://elsewhere/', {}],
  ] as const)('leaves %s %s %j to undici', (method, path, headers) => {
    expect(plainRequestBytes(method, path, '127.0.0.1:8080', headers, undefined)).toBeUndefined();
  });
});
