import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CircuitBreaker, type BreakerSnapshot } from './circuit-breaker.js';
import { formatMetrics, METRICS_CONTENT_TYPE } from './metrics.js';
import { RenderQueue, renderDocument } from './render-queue.js';
import { ReportStore, type Report } from './report-store.js';
import { resolveLoopbackHost, resolveStudentReportsOptions, type StudentReportsOptions } from './target-options.js';
import { TranslationDb, type TranslationOutcome } from './translation-db.js';

export {
  DEFAULT_STUDENT_REPORTS_OPTIONS,
  STUDENT_REPORTS_BUGS,
  TargetOptionsError,
  resolveLoopbackHost,
  resolveStudentReportsOptions,
} from './target-options.js';
export type { StudentReportsBug, StudentReportsOptions, TargetOptionIssue } from './target-options.js';
export type { BreakerEvent, BreakerSnapshot, BreakerState } from './circuit-breaker.js';
export type { ReportStatus } from './report-store.js';

/**
 * The simulated Student Reports service from the seed story, as a library: a node:http server on
 * loopback that `overload ramp student-reports` can push to collapse on a fresh machine.
 *
 *   POST /districts/:district/students/:student/reports
 *     -> one query to the translated-copy DB (limited slots, bounded FIFO wait, timeout), in the
 *        request path; then 202 {id, status: "queued"} and the report goes to the render stage
 *        (with respondAfterRender the answer waits for the render: 201 done, 500 render failed).
 *     -> 503 {"error": "translation timeout" | "translation queue full"} when the DB query fails:
 *        the report fails, one email is counted, the breaker counts a consecutive failure.
 *     -> 503 {"error": "circuit open"} while the breaker is open (no report, so no email).
 *   GET /reports/:id            -> {id, status}, 404 when unknown (or past retention)
 *   GET /districts/:d/students/:s/reports/latest[/document] -> the same for a student's latest report
 *   GET /reports/:id/document   -> 200 text document when done, 409 when not (yet), 404 unknown
 *   GET /health                 -> 200 {"status":"ok"} | 503 {"status":"degraded","breaker":...}
 *   GET /metrics                -> Prometheus text
 *   POST /admin/consumers/pause  -> 200 {"consumers":"paused"}: the render consumers stop; reports
 *        are still accepted (202) and the render queue grows (the pinch test)
 *   POST /admin/consumers/resume -> 200 {"consumers":"running"}: the backlog is released at once
 *   GET /admin/consumers         -> 200 {"consumers": "paused" | "running", "waiting": n}
 *
 * Requests carrying `x-overload-run` are counted as synthetic. A real service would use the header
 * to hold back failure emails; this one still counts them so email budgets can be tested.
 */

export interface StartStudentReportsTargetOptions extends Partial<StudentReportsOptions> {
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  /** Loopback only; anything else is refused with OVL_TARGET_NOT_ALLOWED. Default 127.0.0.1. */
  readonly host?: string;
}

export interface StudentReportsSnapshot {
  readonly options: StudentReportsOptions;
  /** POSTs received, including those refused by the open breaker. */
  readonly requested: number;
  /** POSTs answered 202. */
  readonly accepted: number;
  readonly done: number;
  readonly failed: number;
  readonly failures: { readonly translationTimeout: number; readonly translationQueueFull: number; readonly render: number };
  readonly emailsSent: number;
  readonly rejectedCircuitOpen: number;
  readonly syntheticRequests: number;
  readonly translation: { readonly waiting: number; readonly inProgress: number };
  readonly render: { readonly waiting: number; readonly inProgress: number; readonly paused: boolean };
  readonly storedReports: number;
  readonly breaker: BreakerSnapshot;
}

export interface StudentReportsTarget {
  /** e.g. `http://127.0.0.1:41234` */
  readonly url: string;
  readonly port: number;
  /** Stops listening, drops open connections and pending work; resolves when the server is closed. */
  close(): Promise<void>;
  snapshot(): StudentReportsSnapshot;
}

const SYNTHETIC_HEADER = 'x-overload-run';
const REPORT_ROUTE = /^\/districts\/([^/]+)\/students\/([^/]+)\/reports\/?$/;
const STATUS_ROUTE = /^\/reports\/([^/]+)\/?$/;
const LATEST_ROUTE = /^\/districts\/([^/]+)\/students\/([^/]+)\/reports\/latest(\/document)?\/?$/;
const DOCUMENT_ROUTE = /^\/reports\/([^/]+)\/document\/?$/;

export async function startStudentReportsTarget(input: StartStudentReportsTargetOptions = {}): Promise<StudentReportsTarget> {
  const { port = 0, host = '127.0.0.1', ...rest } = input;
  const options = resolveStudentReportsOptions(rest);
  const listenHost = resolveLoopbackHost(host);

  const counts = { requested: 0, accepted: 0, done: 0, emailsSent: 0, rejectedCircuitOpen: 0, synthetic: 0 };
  const failures = { translationTimeout: 0, translationQueueFull: 0, render: 0 };
  // The seed's email-per-failure alerting, counted instead of sent.
  const failReport = (reason: keyof typeof failures): void => {
    failures[reason] += 1;
    counts.emailsSent += 1;
  };

  const breaker = new CircuitBreaker({
    threshold: options.breakerThreshold,
    resetMs: options.breakerResetMs,
    sticky: options.bug === 'sticky-breaker',
    nowMs: Date.now,
  });
  const db = new TranslationDb({
    slots: options.translationSlots,
    queryMs: options.translationQueryMs,
    queueLimit: options.translationQueueLimit,
    timeoutMs: options.translationTimeoutMs,
    runAbandonedQueries: options.runAbandonedQueries,
    nowMs: () => performance.now(),
  });
  const store = new ReportStore(options.reportRetention);
  const renderer = new RenderQueue({
    renderCpuMs: options.renderCpuMs,
    failRenders: options.failRenders,
    onRendered: () => void (counts.done += 1),
    onFailed: () => failReport('render'),
  });

  const snapshot = (): StudentReportsSnapshot => ({
    options,
    requested: counts.requested,
    accepted: counts.accepted,
    done: counts.done,
    failed: failures.translationTimeout + failures.translationQueueFull + failures.render,
    failures: { ...failures },
    emailsSent: counts.emailsSent,
    rejectedCircuitOpen: counts.rejectedCircuitOpen,
    syntheticRequests: counts.synthetic,
    translation: { waiting: db.waiting(), inProgress: db.inProgress() },
    render: { waiting: renderer.waiting(), inProgress: renderer.inProgress(), paused: renderer.isPaused() },
    storedReports: store.size(),
    breaker: breaker.snapshot(),
  });

  async function requestReport(district: string, student: string, res: ServerResponse): Promise<void> {
    counts.requested += 1;
    const ticket = breaker.tryAcquire();
    if (ticket === undefined) {
      counts.rejectedCircuitOpen += 1;
      return sendJson(res, 503, { error: 'circuit open' });
    }
    const outcome: TranslationOutcome = await db.query();
    if (outcome === 'closed') return sendJson(res, 503, { error: 'shutting down' });
    if (outcome !== 'ok') {
      breaker.recordFailure(ticket);
      failReport(outcome === 'timeout' ? 'translationTimeout' : 'translationQueueFull');
      return sendJson(res, 503, { error: outcome === 'timeout' ? 'translation timeout' : 'translation queue full' });
    }
    breaker.recordSuccess(ticket);
    const report = store.create(district, student, Date.now());
    counts.accepted += 1;
    if (options.respondAfterRender) {
      report.settle = (rendered) => {
        report.settle = undefined;
        if (rendered) sendJson(res, 201, { id: report.id, status: report.status });
        else sendJson(res, 500, { id: report.id, error: 'render failed' });
      };
      renderer.enqueue(report);
      return;
    }
    renderer.enqueue(report);
    sendJson(res, 202, { id: report.id, status: report.status });
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.headers[SYNTHETIC_HEADER] !== undefined) counts.synthetic += 1;
    // Bodies are not used; drain them so keep-alive connections stay usable.
    req.resume();
    const path = (req.url ?? '/').split('?', 1)[0]!;
    const method = req.method ?? 'GET';
    let match: RegExpExecArray | null;
    try {
      if ((match = REPORT_ROUTE.exec(path))) {
        if (method !== 'POST') return methodNotAllowed(res, 'POST');
        void requestReport(decodeURIComponent(match[1]!), decodeURIComponent(match[2]!), res);
        return;
      }
      if ((match = LATEST_ROUTE.exec(path))) {
        if (method !== 'GET') return methodNotAllowed(res, 'GET');
        const report = store.latest(decodeURIComponent(match[1]!), decodeURIComponent(match[2]!));
        if (match[3]) return sendDocument(report, res);
        if (!report) return sendJson(res, 404, { error: 'unknown report' });
        return sendJson(res, 200, { id: report.id, status: report.status });
      }
      if ((match = DOCUMENT_ROUTE.exec(path))) {
        if (method !== 'GET') return methodNotAllowed(res, 'GET');
        return sendDocument(store.get(decodeURIComponent(match[1]!)), res);
      }
      if ((match = STATUS_ROUTE.exec(path))) {
        if (method !== 'GET') return methodNotAllowed(res, 'GET');
        const report = store.get(decodeURIComponent(match[1]!));
        if (!report) return sendJson(res, 404, { error: 'unknown report' });
        return sendJson(res, 200, { id: report.id, status: report.status });
      }
      if (path === '/health') {
        if (method !== 'GET') return methodNotAllowed(res, 'GET');
        const state = breaker.state();
        return state === 'closed' ? sendJson(res, 200, { status: 'ok' }) : sendJson(res, 503, { status: 'degraded', breaker: state });
      }
      if (path === '/admin/consumers/pause' || path === '/admin/consumers/resume') {
        if (method !== 'POST') return methodNotAllowed(res, 'POST');
        if (path.endsWith('pause')) renderer.pause();
        else renderer.resume();
        return sendJson(res, 200, { consumers: renderer.isPaused() ? 'paused' : 'running', waiting: renderer.waiting() });
      }
      if (path === '/admin/consumers') {
        if (method !== 'GET') return methodNotAllowed(res, 'GET');
        return sendJson(res, 200, { consumers: renderer.isPaused() ? 'paused' : 'running', waiting: renderer.waiting() });
      }
      if (path === '/metrics') {
        if (method !== 'GET') return methodNotAllowed(res, 'GET');
        res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE });
        res.end(formatMetrics(snapshot()));
        return;
      }
      sendJson(res, 404, { error: 'not found' });
    } catch (error) {
      // decodeURIComponent throws URIError on malformed escapes: the client's fault.
      if (error instanceof URIError) return sendJson(res, 400, { error: 'malformed path' });
      throw error;
    }
  }

  const server = createServer(handle);
  // Load generators keep connections open between ramps; do not let the server drop them first.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, listenHost, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${address.port}`,
    port: address.port,
    snapshot,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        db.close();
        renderer.close();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function sendDocument(report: Report | undefined, res: ServerResponse): void {
  if (!report) return sendJson(res, 404, { error: 'unknown report' });
  if (report.status !== 'done') return sendJson(res, 409, { error: 'report not ready', id: report.id, status: report.status });
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'x-report-checksum': String(report.checksum) });
  res.end(renderDocument(report));
}

function methodNotAllowed(res: ServerResponse, allow: string): void {
  res.setHeader('allow', allow);
  sendJson(res, 405, { error: 'method not allowed' });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  // The client may have given up while the request waited for the DB; nothing to answer then.
  if (res.destroyed || res.writableEnded) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
