import { afterEach, describe, expect, it } from 'vitest';
import { envPlaceholderNames, redactHeaders, secretHeaderValues, secrets } from '../dist/secrets.js';

describe('the secret registry scrubs every form a secret takes in an output', () => {
  afterEach(() => secrets.clear());

  it('replaces a secret raw, JSON-escaped, HTML-escaped and URL-encoded, longest first', () => {
    const secret = 'p@ss"w<o>rd\\&x';
    secrets.add([secret, 'p@ss']);
    const text = [
      secret,
      JSON.stringify({ v: secret }),
      '<td>p@ss&quot;w&lt;o&gt;rd\\&amp;x</td>',
      `?t=${encodeURIComponent(secret)}`,
    ].join('\n');
    const out = secrets.scrub(text);
    expect(out).toBe(['[redacted]', '{"v":"[redacted]"}', '<td>[redacted]</td>', '?t=[redacted]'].join('\n'));
  });

  it('ignores values too short to be told from ordinary text', () => {
    secrets.add(['abc', '', undefined]);
    expect(secrets.size).toBe(0);
    expect(secrets.scrub('abc')).toBe('abc');
  });

  it('knows which headers carry secrets, and the credential inside "Bearer …"', () => {
    const headers = {
      Authorization: 'Bearer t0ken-value',
      Cookie: 'a=b',
      'X-Api-Key': 'k3y-value',
      'x-session-token': 's',
      accept: 'text/plain',
      'content-type': 'x',
    };
    expect(redactHeaders(headers)).toEqual({
      Authorization: '[redacted]',
      Cookie: '[redacted]',
      'X-Api-Key': '[redacted]',
      'x-session-token': '[redacted]',
      accept: 'text/plain',
      'content-type': 'x',
    });
    expect(secretHeaderValues(headers)).toEqual(['Bearer t0ken-value', 't0ken-value', 'a=b', 'k3y-value', 's']);
  });

  it('finds the environment variables a scenario reads, however deep', () => {
    expect(
      envPlaceholderNames([
        { headers: { authorization: 'Bearer {{env.API_TOKEN}}' } },
        { body: { k: '{{ env.OTHER }}', n: '{{users.id}}' } },
      ]),
    ).toEqual(['API_TOKEN', 'OTHER']);
  });
});
