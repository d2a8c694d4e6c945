/**
 * Accepted reports, looked up by id for status and document downloads. Memory stays bounded
 * under any load: past `retention` reports the oldest are forgotten (a look-up then answers 404,
 * as a real service with a retention policy would).
 */

export type ReportStatus = 'queued' | 'rendering' | 'done' | 'failed';

export interface Report {
  readonly id: string;
  readonly district: string;
  readonly student: string;
  readonly requestedAtMs: number;
  status: ReportStatus;
  /** Checksum of the rendered document: proof the render did its work, tiny to keep. */
  checksum?: number;
  /** Called once when the render has finished (respondAfterRender mode answers the caller here). */
  settle?: (rendered: boolean) => void;
}

export class ReportStore {
  private readonly reports = new Map<string, Report>();
  /** The latest report id per district/student, so clients can poll without keeping ids. */
  private readonly latestByStudent = new Map<string, string>();
  private seq = 0;
  /** Distinguishes ids across restarts of the target, so a stale id never finds a new report. */
  private readonly prefix = Date.now().toString(36);

  constructor(private readonly retention: number) {}

  create(district: string, student: string, requestedAtMs: number): Report {
    this.seq += 1;
    const report: Report = { id: `rpt-${this.prefix}-${this.seq.toString(36)}`, district, student, requestedAtMs, status: 'queued' };
    this.reports.set(report.id, report);
    this.latestByStudent.delete(`${district}/${student}`);
    this.latestByStudent.set(`${district}/${student}`, report.id);
    // Map iteration is insertion order, so the first key is the oldest report.
    if (this.reports.size > this.retention) this.reports.delete(this.reports.keys().next().value!);
    if (this.latestByStudent.size > this.retention) this.latestByStudent.delete(this.latestByStudent.keys().next().value!);
    return report;
  }

  latest(district: string, student: string): Report | undefined {
    const id = this.latestByStudent.get(`${district}/${student}`);
    return id === undefined ? undefined : this.reports.get(id);
  }

  get(id: string): Report | undefined {
    return this.reports.get(id);
  }

  size(): number {
    return this.reports.size;
  }
}
