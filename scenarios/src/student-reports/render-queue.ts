import type { Report } from './report-store.js';

/**
 * The render stage: turns accepted reports into documents, burning real CPU on the server's own
 * event loop (so a load test sees the render cost in latency, as it would on a real box), while
 * still letting the server answer between batches.
 *
 * Each turn renders the batch marked `rendering` on the previous turn, then marks the next batch
 * and yields with setImmediate, so I/O callbacks (new requests, status polls) run between batches.
 * A batch is sized to about BATCH_BUDGET_MS of CPU, which bounds how long a GET can be held up.
 */

const BATCH_BUDGET_MS = 10;

export interface RenderQueueOptions {
  readonly renderCpuMs: number;
  readonly failRenders: boolean;
  readonly onRendered: (report: Report) => void;
  readonly onFailed: (report: Report) => void;
}

export class RenderQueue {
  private queue: Report[] = [];
  private head = 0;
  private batch: Report[] = [];
  private scheduled: NodeJS.Immediate | undefined;
  private readonly batchSize: number;
  private closed = false;
  private paused = false;

  constructor(private readonly options: RenderQueueOptions) {
    this.batchSize = options.renderCpuMs > 0 ? Math.max(1, Math.floor(BATCH_BUDGET_MS / options.renderCpuMs)) : 1000;
  }

  enqueue(report: Report): void {
    if (this.closed) return;
    this.queue.push(report);
    this.schedule();
  }

  /** Reports waiting for a renderer. */
  waiting(): number {
    return this.queue.length - this.head;
  }

  /** Reports picked for the current batch. */
  inProgress(): number {
    return this.batch.length;
  }

  /**
   * The pinch test's lever: the consumers stop taking reports (the batch in hand finishes), while
   * generate requests are still accepted and the queue grows. Resume releases the backlog at once.
   */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    if (this.waiting() > 0) this.schedule();
  }

  isPaused(): boolean {
    return this.paused;
  }

  close(): void {
    this.closed = true;
    if (this.scheduled !== undefined) clearImmediate(this.scheduled);
    this.scheduled = undefined;
  }

  private schedule(): void {
    if (this.scheduled === undefined && !this.closed) this.scheduled = setImmediate(() => this.turn());
  }

  private turn(): void {
    this.scheduled = undefined;
    for (const report of this.batch) this.render(report);
    this.batch = [];
    if (this.paused) return;
    const end = Math.min(this.queue.length, this.head + this.batchSize);
    for (let i = this.head; i < end; i++) {
      const report = this.queue[i]!;
      report.status = 'rendering';
      this.batch.push(report);
    }
    this.head = end;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.batch.length > 0) this.schedule();
  }

  private render(report: Report): void {
    const checksum = burnCpu(renderDocument(report), this.options.renderCpuMs);
    if (this.options.failRenders) {
      report.status = 'failed';
      this.options.onFailed(report);
      report.settle?.(false);
      return;
    }
    report.checksum = checksum;
    report.status = 'done';
    this.options.onRendered(report);
    report.settle?.(true);
  }
}

/**
 * Hashes the document over and over until `cpuMs` of wall time has passed on this thread: real
 * work the optimiser cannot drop (the hash is kept), with a cost set by the option, not by how
 * fast this machine hashes.
 */
function burnCpu(document: string, cpuMs: number): number {
  const start = performance.now();
  let hash = 0x811c9dc5;
  do {
    for (let i = 0; i < document.length; i++) hash = Math.imul(hash ^ document.charCodeAt(i), 0x01000193);
  } while (performance.now() - start < cpuMs);
  return hash >>> 0;
}

const TRANSLATED_COPY = [
  'This plan describes the language supports the district will provide to the student this school year.',
  'Este plan describe los apoyos lingüísticos que el distrito brindará al estudiante durante este año escolar.',
  'Kế hoạch này mô tả các hỗ trợ ngôn ngữ mà học khu sẽ cung cấp cho học sinh trong năm học này.',
  'هذه الخطة تصف أشكال الدعم اللغوي التي ستقدمها المنطقة التعليمية للطالب خلال هذا العام الدراسي.',
  '本计划说明学区在本学年将为学生提供的语言支持。',
];

/**
 * The document a report renders to (a few KB). It is a pure function of the report, so it is
 * rebuilt on download instead of being stored: 50k stored documents would be ~150 MB.
 */
export function renderDocument(report: Pick<Report, 'id' | 'district' | 'student' | 'requestedAtMs'>): string {
  const lines = [
    `STUDENT REPORT ${report.id}`,
    `District: ${report.district}`,
    `Student: ${report.student}`,
    `Requested at: ${new Date(report.requestedAtMs).toISOString()}`,
    '',
  ];
  for (let section = 1; section <= 6; section++) {
    lines.push(`Section ${section}: English language development supports`);
    for (const copy of TRANSLATED_COPY) lines.push(`  ${copy}`);
    lines.push('');
  }
  return lines.join('\n');
}
