/**
 * Secrets the CLI must never write out: values of `{{env.NAME}}` placeholders, of Authorization,
 * Cookie, Set-Cookie and API-key headers, TLS private keys and URL passwords. Structured output
 * redacts them where they are known (headers become `[redacted]`); this registry is the net
 * under that: every byte the CLI writes — result files, HTML, JUnit, logs, progress, summaries,
 * `plan` — passes through `scrub()`, so a secret that reaches a message by a path nobody thought
 * of (an error message quoting a header, a URL in a log line) still comes out as `[redacted]`.
 */

/** Header names whose values are secrets. */
export const SECRET_HEADER =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key|apikey|x-auth-token|.*token.*|.*secret.*|.*password.*|.*api[-_]?key.*)$/i;

export const REDACTED = '[redacted]';

/** Shorter values are not scrubbed from text: replacing every "abc" would garble output, not hide a secret. */
const MIN_SECRET_LENGTH = 4;

class SecretRegistry {
  #forms: string[] = [];
  #pattern: RegExp | undefined;

  /** Registers secret values; each is also scrubbed in its JSON-escaped and HTML-escaped forms. */
  add(values: Iterable<string | undefined>): void {
    const forms = new Set(this.#forms);
    for (const v of values) {
      if (typeof v !== 'string' || v.length < MIN_SECRET_LENGTH) continue;
      forms.add(v);
      forms.add(JSON.stringify(v).slice(1, -1));
      forms.add(htmlEscape(v));
      forms.add(htmlEscape(v).replace(/&#39;/g, '&apos;'));
      forms.add(encodeURIComponent(v));
    }
    // Longest first, so a secret that contains another is replaced whole.
    this.#forms = [...forms].filter((f) => f.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
    this.#pattern = this.#forms.length > 0 ? new RegExp(this.#forms.map(escapeRegExp).join('|'), 'g') : undefined;
  }

  get size(): number {
    return this.#forms.length;
  }

  scrub(text: string): string {
    // A URL password is registered as `:password@`, and keeps its delimiters: `https://u:[redacted]@host`.
    return this.#pattern
      ? text.replace(this.#pattern, (m) => (m.length > 2 && m[0] === ':' && m.endsWith('@') ? `:${REDACTED}@` : REDACTED))
      : text;
  }

  /** For tests: forget everything. */
  clear(): void {
    this.#forms = [];
    this.#pattern = undefined;
  }
}

/** The one registry of the CLI process. */
export const secrets = new SecretRegistry();

export function redactHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = SECRET_HEADER.test(k) ? REDACTED : v;
  return out;
}

/** Values of secret headers in a header object (literal values; placeholders are resolved elsewhere). */
export function secretHeaderValues(headers: Readonly<Record<string, unknown>> | undefined): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (typeof v !== 'string' || !SECRET_HEADER.test(k)) continue;
    out.push(v);
    // `Bearer abc…`: the credential alone may show up elsewhere too.
    const parts = v.split(/\s+/);
    if (parts.length === 2) out.push(parts[1]!);
  }
  return out;
}

/**
 * Secret header values given on the command line (`-H "Authorization: Bearer …"`), registered
 * before the flags are parsed, so that even an error about another flag cannot show them.
 */
export function registerArgvSecrets(argv: readonly string[]): void {
  const values: string[] = [];
  argv.forEach((arg, i) => {
    const value =
      arg === '-H' || arg === '--header' ? argv[i + 1] : arg.startsWith('--header=') ? arg.slice('--header='.length) : undefined;
    if (value === undefined) return;
    const colon = value.indexOf(':');
    if (colon > 0) values.push(...secretHeaderValues({ [value.slice(0, colon).trim()]: value.slice(colon + 1).trim() }));
    else {
      // A malformed header (`authorization Bearer …`, the colon forgotten) is quoted back by
      // commander's error: its value must be known as a secret too.
      const [name = '', ...rest] = value.trim().split(/\s+/);
      if (rest.length > 0) values.push(...secretHeaderValues({ [name]: rest.join(' ') }));
    }
  });
  // A target URL with a password (`--target https://u:pw@host`, or the URL argument) too.
  for (const arg of argv) values.push(...urlPasswordForms(arg.startsWith('--target=') ? arg.slice('--target='.length) : arg));
  secrets.add(values);
}

/**
 * The forms a URL password is scrubbed in: always as `:password@` (the URL form); alone only when
 * it cannot be mistaken for other text (a short or all-digit one would blank out a port number).
 */
export function urlPasswordForms(url: string): string[] {
  if (!/^https?:\/\//i.test(url)) return [];
  let password: string;
  try {
    password = new URL(url).password;
  } catch {
    return [];
  }
  if (!password) return [];
  const out: string[] = [];
  for (const pw of new Set([password, decodeURIComponent(password)])) {
    out.push(`:${pw}@`);
    if (pw.length >= 8 && !/^\d+$/.test(pw)) out.push(pw);
  }
  return out;
}

/** Names of the environment variables a scenario reads through `{{env.NAME}}` placeholders. */
export function envPlaceholderNames(value: unknown): string[] {
  const names = new Set<string>();
  const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'function' ? undefined : v)) ?? '';
  for (const m of text.matchAll(/\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g)) names.add(m[1]!);
  return [...names];
}

/** `https://user:password@host/` without the password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (!u.password) return url;
    u.password = REDACTED;
    return u.href;
  } catch {
    return url;
  }
}

/**
 * Routes everything written to stdout and stderr through the registry. Installed once, before
 * any command runs; it costs nothing while no secret is registered.
 */
export function scrubProcessOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (secrets.size > 0) {
        if (typeof chunk === 'string') chunk = secrets.scrub(chunk);
        else if (chunk instanceof Uint8Array) chunk = secrets.scrub(Buffer.from(chunk).toString('utf8'));
      }
      return write(chunk, ...rest);
    }) as typeof stream.write;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function htmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
