import { type ChildProcess, fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  startStudentReportsTarget,
  TargetOptionsError,
  type StartStudentReportsTargetOptions,
  type StudentReportsTarget,
} from '@overload/scenarios/student-reports/target';

// The simulated Student Reports service: these tests drive the real server over real loopback
// HTTP. Every burst is bounded in count, and every server and child process is closed afterwards.

const TARGET_MAIN = fileURLToPath(new URL('../scenarios/dist/student-reports/target-main.js', import.meta.url));

const targets: StudentReportsTarget[] = [];
const children: ChildProcess[] = [];

afterEach(async () => {
  await Promise.all(targets.splice(0).map((t) => t.close()));
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  }
});

async function start(options: StartStudentReportsTargetOptions = {}): Promise<StudentReportsTarget> {
  const target = await startStudentReportsTarget(options);
  targets.push(target);
  return target;
}

interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

async function postReport(url: string, district = 'd-7', student = 's-42', headers: Record<string, string> = {}): Promise<Reply> {
  const res = await fetch(`${url}/districts/${district}/students/${student}/reports`, { method: 'POST', headers });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function getJson(url: string): Promise<Reply> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Polls until `check` passes; the service exposes no push events over HTTP, only state. */
async function waitFor<T>(what: string, probe: () => Promise<T> | T, check: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (check(value)) return value;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(value)})`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Parses the Prometheus text format strictly enough to catch a broken page: every sample must
 * belong to a family announced by `# HELP` and `# TYPE`, and carry a finite number.
 */
function parseMetrics(text: string): Map<string, number> {
  const help = new Set<string>();
  const types = new Map<string, string>();
  const samples = new Map<string, number>();
  expect(text.endsWith('\n')).toBe(true);
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
    if (meta) {
      if (meta[1] === 'HELP') help.add(meta[2]!);
      else {
        expect(['counter', 'gauge']).toContain(meta[3]);
        types.set(meta[2]!, meta[3]!);
      }
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-z_]+="[^"]*"(?:,[a-z_]+="[^"]*")*\})? (\S+)$/.exec(line);
    expect(sample, `malformed metrics line: ${line}`).not.toBeNull();
    const [, name, labels = '', value] = sample!;
    expect(help.has(name!), `no # HELP for ${name}`).toBe(true);
    expect(types.has(name!), `no # TYPE for ${name}`).toBe(true);
    if (types.get(name!) === 'counter') expect(name!.endsWith('_total')).toBe(true);
    const number = Number(value);
    expect(Number.isFinite(number), `non-numeric value in: ${line}`).toBe(true);
    samples.set(`${name}${labels}`, number);
  }
  return samples;
}

async function scrape(url: string): Promise<Map<string, number>> {
  const res = await fetch(`${url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return parseMetrics(await res.text());
}

function metric(samples: Map<string, number>, key: string): number {
  const value = samples.get(key);
  if (value === undefined) throw new Error(`metric ${key} missing`);
  return value;
}

/** Reads the child's one JSON line from stdout. */
async function readUrlLine(child: ChildProcess): Promise<{ url: string; port: number; pid: number; raw: string }> {
  let text = '';
  for await (const chunk of child.stdout!) {
    text += String(chunk);
    const newline = text.indexOf('\n');
    if (newline >= 0) {
      const raw = text.slice(0, newline);
      return { ...(JSON.parse(raw) as { url: string; port: number; pid: number }), raw };
    }
  }
  throw new Error(`target-main closed stdout without printing its URL line (got ${JSON.stringify(text)})`);
}

async function runToExit(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [TARGET_MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += String(chunk)));
  child.stderr.on('data', (chunk) => (stderr += String(chunk)));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

/**
 * Holds the only DB slot with a slow query, then sends `count` requests one after another: each
 * waits longer than the timeout, so each is one consecutive failure.
 */
async function holdSlotAndFail(target: StudentReportsTarget, count: number): Promise<{ holder: Promise<Reply>; replies: Reply[] }> {
  const holder = postReport(target.url, 'd-hold', 's-hold');
  await waitFor(
    'the holder to take the DB slot',
    () => target.snapshot().translation.inProgress,
    (n) => n === 1,
  );
  const replies: Reply[] = [];
  for (let i = 0; i < count; i++) replies.push(await postReport(target.url, 'd-fail', `s-${i}`));
  return { holder, replies };
}

describe('student-reports target: happy path', () => {
  it('accepts a report (202), renders it, and serves its document', async () => {
    const target = await start();
    expect(target.url).toBe(`http://127.0.0.1:${target.port}`);

    const created = await postReport(target.url, 'district%209', 'student-1', { 'x-overload-run': 'run-1' });
    expect(created.status).toBe(202);
    expect(created.body.status).toBe('queued');
    expect(typeof created.body.id).toBe('string');
    const id = created.body.id as string;

    const done = await waitFor(
      'the report to render',
      () => getJson(`${target.url}/reports/${id}`),
      (r) => r.body.status === 'done',
    );
    expect(done).toEqual({ status: 200, body: { id, status: 'done' } });

    const doc = await fetch(`${target.url}/reports/${id}/document`);
    expect(doc.status).toBe(200);
    const text = await doc.text();
    expect(text.length).toBeGreaterThan(2000);
    expect(text).toContain(`STUDENT REPORT ${id}`);
    expect(text).toContain('District: district 9');

    expect((await getJson(`${target.url}/reports/no-such-report`)).status).toBe(404);
    expect((await fetch(`${target.url}/reports/no-such-report/document`)).status).toBe(404);
    expect(await getJson(`${target.url}/health`)).toEqual({ status: 200, body: { status: 'ok' } });

    const samples = await scrape(target.url);
    expect(metric(samples, 'student_reports_requested_total')).toBe(1);
    expect(metric(samples, 'student_reports_done_total')).toBe(1);
    expect(metric(samples, 'student_reports_failed_total')).toBe(0);
    expect(metric(samples, 'student_reports_emails_sent_total')).toBe(0);
    expect(metric(samples, 'student_reports_breaker_open')).toBe(0);
    expect(metric(samples, 'student_reports_breaker_trips_total')).toBe(0);
    // Only the POST carried the header.
    expect(metric(samples, 'student_reports_synthetic_requests_total')).toBe(1);
  });

  it('answers 405 for a wrong method and 404 for an unknown path', async () => {
    const target = await start();
    const wrong = await fetch(`${target.url}/districts/d/students/s/reports`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    expect((await fetch(`${target.url}/nope`)).status).toBe(404);
  });
});

describe('student-reports target: overload', () => {
  it('exposes parseable metrics whose translation queue depth rises under a burst beyond capacity', async () => {
    // Defaults: 4 DB slots x 8 ms = ~500 reports/s, so 1,500 at once must queue for the DB. The
    // target runs in its own process so this test's 1,500 fetches do not slow its event loop.
    const child = spawn(process.execPath, [TARGET_MAIN, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    const target = await readUrlLine(child);
    const before = await scrape(target.url);
    for (const key of [
      'student_reports_queue_depth{stage="translation"}',
      'student_reports_queue_depth{stage="render"}',
      'student_reports_in_progress{stage="translation"}',
      'student_reports_requested_total',
      'student_reports_done_total',
      'student_reports_failed_total',
      'student_reports_emails_sent_total',
      'student_reports_breaker_open',
      'student_reports_breaker_trips_total',
      'student_reports_synthetic_requests_total',
    ]) {
      expect(before.get(key), key).toBe(0);
    }

    const burst = 1500;
    let settled = 0;
    const replies = Array.from({ length: burst }, (_, i) =>
      postReport(target.url, 'd-burst', `s-${i}`, { 'x-overload-run': 'burst' }).finally(() => (settled += 1)),
    );
    let peakDepth = 0;
    while (settled < burst && peakDepth < 100) {
      const samples = await scrape(target.url);
      peakDepth = Math.max(peakDepth, metric(samples, 'student_reports_queue_depth{stage="translation"}'));
      expect(metric(samples, 'student_reports_in_progress{stage="translation"}')).toBeLessThanOrEqual(4);
    }
    const results = await Promise.all(replies);
    // 25x the DB's slots: requests really pile up in front of the hidden bottleneck.
    expect(peakDepth).toBeGreaterThanOrEqual(100);

    const accepted = results.filter((r) => r.status === 202).length;
    const failed = results.filter((r) => r.status === 503 && r.body.error !== 'circuit open').length;
    const refused = results.filter((r) => r.status === 503 && r.body.error === 'circuit open').length;
    expect(accepted + failed + refused).toBe(burst);
    expect(accepted).toBeGreaterThan(0);

    const after = await waitFor(
      'the render queue to drain',
      () => scrape(target.url),
      (s) => s.get('student_reports_queue_depth{stage="render"}') === 0 && s.get('student_reports_in_progress{stage="render"}') === 0,
    );
    expect(metric(after, 'student_reports_queue_depth{stage="translation"}')).toBe(0);
    expect(metric(after, 'student_reports_requested_total')).toBe(burst);
    expect(metric(after, 'student_reports_synthetic_requests_total')).toBe(burst);
    expect(metric(after, 'student_reports_done_total')).toBe(accepted);
    expect(metric(after, 'student_reports_failed_total')).toBe(failed);
    expect(metric(after, 'student_reports_emails_sent_total')).toBe(failed);
    expect(metric(after, 'student_reports_rejected_total{reason="circuit_open"}')).toBe(refused);
  });

  it('fails requests that wait longer than the DB timeout with 503 and one email each', async () => {
    // One slot held for 400 ms, a 20 ms timeout: all but the first of 10 concurrent requests fail.
    const target = await start({ translationSlots: 1, translationQueryMs: 400, translationTimeoutMs: 20, breakerThreshold: 1000 });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => postReport(target.url, 'd', `s-${i}`)));
    const timeouts = results.filter((r) => r.status === 503);
    expect(results.filter((r) => r.status === 202).length).toBeGreaterThanOrEqual(1);
    expect(timeouts.length).toBeGreaterThanOrEqual(5);
    for (const r of timeouts) expect(r.body).toEqual({ error: 'translation timeout' });

    const samples = await scrape(target.url);
    expect(metric(samples, 'student_reports_failed_total')).toBe(timeouts.length);
    expect(metric(samples, 'student_reports_emails_sent_total')).toBe(timeouts.length);
    expect(metric(samples, 'student_reports_failures_total{reason="translation_timeout"}')).toBe(timeouts.length);
  });

  it('fails a request at once when the DB wait queue is full', async () => {
    const target = await start({ translationSlots: 1, translationQueryMs: 300, translationQueueLimit: 0, breakerThreshold: 1000 });
    const { holder, replies } = await holdSlotAndFail(target, 1);
    expect(replies[0]).toEqual({ status: 503, body: { error: 'translation queue full' } });
    expect((await holder).status).toBe(202);
    expect(target.snapshot()).toMatchObject({ failed: 1, emailsSent: 1, failures: { translationQueueFull: 1 } });
  });
});

describe('student-reports target: circuit breaker', () => {
  const breakerOptions = {
    translationSlots: 1,
    translationQueryMs: 800,
    translationTimeoutMs: 10,
    breakerThreshold: 5,
    breakerResetMs: 300,
  };

  it('opens after 5 consecutive failures, fails fast without email, and closes after breakerResetMs', async () => {
    const target = await start(breakerOptions);
    const { holder, replies } = await holdSlotAndFail(target, 4);
    for (const r of replies) expect(r).toEqual({ status: 503, body: { error: 'translation timeout' } });
    expect(await getJson(`${target.url}/health`)).toEqual({ status: 200, body: { status: 'ok' } });

    // The holder still has the slot, so this one times out too: the fifth in a row.
    expect(target.snapshot().translation.inProgress).toBe(1);
    const fifth = await postReport(target.url, 'd-fail', 's-last');
    expect(fifth).toEqual({ status: 503, body: { error: 'translation timeout' } });
    expect(await getJson(`${target.url}/health`)).toEqual({ status: 503, body: { status: 'degraded', breaker: 'open' } });
    const open = await scrape(target.url);
    expect(metric(open, 'student_reports_breaker_open')).toBe(1);
    expect(metric(open, 'student_reports_breaker_trips_total')).toBe(1);

    expect(await postReport(target.url)).toEqual({ status: 503, body: { error: 'circuit open' } });
    expect(target.snapshot()).toMatchObject({ emailsSent: 5, failed: 5, rejectedCircuitOpen: 1 });

    // The holder was admitted before the trip: its late success says nothing about the DB now,
    // so it must not close the breaker (only the half-open probe may).
    expect((await holder).status).toBe(202);
    expect(target.snapshot().breaker.state).not.toBe('closed');

    // The reset is time-based by design, so the test has to let that time pass.
    const openedAtMs = target.snapshot().breaker.events.find((e) => e.state === 'open')!.atMs;
    await sleep(Math.max(0, openedAtMs + breakerOptions.breakerResetMs + 50 - Date.now()));
    expect(await getJson(`${target.url}/health`)).toEqual({ status: 503, body: { status: 'degraded', breaker: 'half-open' } });
    expect((await postReport(target.url)).status).toBe(202);
    expect(await getJson(`${target.url}/health`)).toEqual({ status: 200, body: { status: 'ok' } });
    expect(target.snapshot().breaker.events.map((e) => e.state)).toEqual(['open', 'half-open', 'closed']);
    expect(metric(await scrape(target.url), 'student_reports_breaker_open')).toBe(0);
  });

  it('with bug sticky-breaker, never closes again once open', async () => {
    const target = await start({ ...breakerOptions, bug: 'sticky-breaker' });
    const { holder, replies } = await holdSlotAndFail(target, 5);
    expect(replies.every((r) => r.status === 503 && r.body.error === 'translation timeout')).toBe(true);
    expect((await holder).status).toBe(202);

    await sleep(breakerOptions.breakerResetMs * 3);
    expect(await getJson(`${target.url}/health`)).toEqual({ status: 503, body: { status: 'degraded', breaker: 'open' } });
    expect(await postReport(target.url)).toEqual({ status: 503, body: { error: 'circuit open' } });
    const samples = await scrape(target.url);
    expect(metric(samples, 'student_reports_breaker_open')).toBe(1);
    expect(metric(samples, 'student_reports_breaker_trips_total')).toBe(1);
    expect(target.snapshot().breaker.events.map((e) => e.state)).toEqual(['open']);
  });
});

describe('student-reports target: options', () => {
  it('rejects invalid options, naming every bad option', async () => {
    const error = await startStudentReportsTarget({ translationSlots: 0, renderCpuMs: -1, bug: 'nope' as never }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetOptionsError);
    const issues = (error as TargetOptionsError).issues.map((i) => i.path);
    expect(issues).toEqual(['options.translationSlots', 'options.renderCpuMs', 'options.bug']);
    expect((error as TargetOptionsError).code).toBe('OVL_INVALID_OPTIONS');
  });

  it('refuses to listen on a non-loopback host', async () => {
    const error = await startStudentReportsTarget({ host: '0.0.0.0' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetOptionsError);
    expect((error as TargetOptionsError).code).toBe('OVL_TARGET_NOT_ALLOWED');
  });
});

describe('student-reports target-main (child process)', () => {
  it('prints one JSON URL line, serves, and exits cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [TARGET_MAIN, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    const line = await readUrlLine(child);
    expect(line.raw).toBe(JSON.stringify({ url: `http://127.0.0.1:${line.port}`, port: line.port, pid: child.pid }));
    expect(line.port).toBeGreaterThan(0);
    expect(await getJson(`${line.url}/health`)).toEqual({ status: 200, body: { status: 'ok' } });

    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    expect(await exited).toEqual([0, null]);
  });

  it('exits when the parent IPC channel disconnects', async () => {
    const child = fork(TARGET_MAIN, ['--port', '0'], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    children.push(child);
    await readUrlLine(child);
    const exited = once(child, 'exit');
    child.disconnect();
    expect(await exited).toEqual([0, null]);
  });

  it('counts one email per failed report with --fail-renders', async () => {
    const child = spawn(process.execPath, [TARGET_MAIN, '--port', '0', '--fail-renders', '--option', 'renderCpuMs=0.2'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    const { url } = await readUrlLine(child);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const created = await postReport(url, 'd-render', `s-${i}`, { 'x-overload-run': 'fail-renders' });
      expect(created.status).toBe(202);
      ids.push(created.body.id as string);
    }
    for (const id of ids) {
      await waitFor(
        `report ${id} to fail`,
        () => getJson(`${url}/reports/${id}`),
        (r) => r.body.status === 'failed',
      );
      expect(await getJson(`${url}/reports/${id}/document`)).toEqual({
        status: 409,
        body: { error: 'report not ready', id, status: 'failed' },
      });
    }
    const samples = await scrape(url);
    expect(metric(samples, 'student_reports_failed_total')).toBe(5);
    expect(metric(samples, 'student_reports_failures_total{reason="render"}')).toBe(5);
    expect(metric(samples, 'student_reports_emails_sent_total')).toBe(5);
    expect(metric(samples, 'student_reports_done_total')).toBe(0);
    // Render failures are the service's own bug: they do not trip the DB breaker.
    expect(metric(samples, 'student_reports_breaker_open')).toBe(0);

    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    expect(await exited).toEqual([0, null]);
  });

  it('refuses a non-loopback --host with a clear error and a non-zero exit', async () => {
    for (const host of ['0.0.0.0', '192.168.1.10', 'example.com']) {
      const { code, stdout, stderr } = await runToExit(['--port', '0', '--host', host]);
      expect(code, host).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toContain('OVL_TARGET_NOT_ALLOWED');
      expect(stderr).toContain('host must be a loopback address');
      expect(stderr).toContain(JSON.stringify(host));
    }
  });

  it('refuses invalid --option values, naming each option', async () => {
    const { code, stdout, stderr } = await runToExit(['--option', 'translationSlots=0', '--option', 'renderCpuMs=fast', '--bug', 'wobbly']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('options.translationSlots must be >= 1 (got 0)');
    expect(stderr).toContain('options.renderCpuMs must be a finite number (got "fast")');
    expect(stderr).toContain('options.bug must be one of none, sticky-breaker (got "wobbly")');
  });
});

describe('student-reports target: respondAfterRender', () => {
  it('answers 201 once rendered, and 500 (with its one email) when the render fails', async () => {
    const ok = await start({ respondAfterRender: true, renderCpuMs: 0.2 });
    const created = await postReport(ok.url, 'd-sync', 's-1');
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('done');
    expect((await getJson(`${ok.url}/reports/${created.body.id as string}`)).body.status).toBe('done');

    const failing = await start({ respondAfterRender: true, failRenders: true, renderCpuMs: 0.2 });
    const replies = await Promise.all(Array.from({ length: 5 }, (_, i) => postReport(failing.url, 'd-sync', `s-${i}`)));
    for (const r of replies) expect(r.status).toBe(500);
    expect(replies.map((r) => r.body.error)).toEqual(Array(5).fill('render failed'));
    // The caller saw every failure that sent an email: one each, no more.
    expect(failing.snapshot()).toMatchObject({ emailsSent: 5, failures: { render: 5 } });
  });
});
