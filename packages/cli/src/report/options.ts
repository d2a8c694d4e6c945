import { type Command, InvalidArgumentError } from 'commander';

/** The flags `addReportOptions` adds (commander camel-cases them). */
export interface ReportFlags {
  /** Also write the HTML report here. */
  html?: string;
  /** Also write the JUnit XML here. */
  junit?: string;
  /** Serve Prometheus metrics of the run on 127.0.0.1:<port> (0 = any free port). */
  metricsPort?: number;
}

function portArg(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < 0 || n > 65535) {
    throw new InvalidArgumentError(`expected a port 0-65535 (got "${value}")`);
  }
  return n;
}

/** Report and live-metrics options (run, ramp, search). */
export function addReportOptions(cmd: Command): Command {
  return cmd
    .option('--html <file>', 'also write the self-contained HTML report here (always written to the out dir as report.html)')
    .option('--junit <file>', 'also write JUnit XML here: one testcase per SLO condition per step, plus the recovery check')
    .option('--metrics-port <port>', 'serve Prometheus metrics of the run on 127.0.0.1:<port>/metrics (0 = any free port)', portArg);
}
