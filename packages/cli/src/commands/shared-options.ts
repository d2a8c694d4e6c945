import { type Command, InvalidArgumentError, Option } from 'commander';
import { parseBudget, parseErrorBurst } from '@overload/core/internal';
import {
  durationArg,
  durationOrZeroArg,
  flagDurationMs,
  headerArg,
  headerNameArg,
  intArg,
  LOG_LEVELS,
  methodArg,
  nonEmptyArg,
  portArg,
  positiveIntArg,
  rateArg,
  urlArg,
} from '../parse.js';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function keyValueArg(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0 || value.slice(0, eq).trim() === '') throw new InvalidArgumentError(`expected key=value (got "${value}")`);
  return { ...previous, [value.slice(0, eq).trim()]: value.slice(eq + 1).trim() };
}

function budgetArg(value: string, previous: Record<string, number> = {}): Record<string, number> {
  try {
    return parseBudget(value, previous);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** A % of the knee (returned as a ratio <= 1) or a rate in req/s (returned as is, > 1). */
function abortOnErrorsArg(value: string): string {
  const parsed = parseErrorBurst(value, flagDurationMs);
  if (!parsed || !(parsed.maxErrorRate > 0 && parsed.maxErrorRate <= 1)) {
    throw new InvalidArgumentError(`expected an error rate from 0 to 100 % over a window, such as 50%/5s (got "${value}")`);
  }
  return value;
}

function ratioOrRateArg(value: string): number {
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(value.trim());
  if (pct) {
    const ratio = Number(pct[1]) / 100;
    if (!(ratio > 0 && ratio <= 1))
      throw new InvalidArgumentError(`expected a % of the knee from 0 to 100 %, such as 10%, or a rate in req/s (got "${value}")`);
    return ratio;
  }
  const rate = rateArg(value);
  // A rate of 1 req/s or less would read as a ratio of the knee: say so instead of guessing.
  if (rate <= 1) throw new InvalidArgumentError(`expected a rate above 1 req/s, or a % of the knee such as 10% (got "${value}")`);
  return rate;
}

/** Load shape and connection options (all commands that send). */
export function addLoadOptions(cmd: Command): Command {
  return cmd
    .option('--workers <n>', 'worker threads (default: cores - 1, at least 1)', intArg(1, 256, 'a number of worker threads'))
    .option('--connections <n>', 'connections per worker (default: fits the rate)', intArg(1, 65_535, 'a number of connections'))
    .option(
      '--pipelining <n>',
      'HTTP/1.1 requests sent on a connection before the first answer (default 1: none)',
      intArg(1, 1024, 'a number of requests'),
    )
    .option('--timeout <time>', 'per-request timeout (default 10s)', durationArg)
    .option(
      '--max-in-flight <n>',
      'cap on requests in flight; arrivals beyond it are dropped and counted',
      intArg(1, 10_000_000, 'a number of requests'),
    )
    .addOption(new Option('--arrivals <process>', 'arrival process').choices(['uniform', 'poisson']))
    .option('--seed <n>', 'seed for poisson arrivals and the request mix', intArg(1, 2 ** 31 - 1, 'a seed'))
    .option('-m, --method <method>', 'HTTP method (URL targets)', methodArg)
    .option(
      '-H, --header <name:value>',
      'request header (repeatable); Authorization, Cookie and API-key values are never written out',
      headerArg,
    )
    .option('--body <text>', 'request body (URL targets)')
    .option('--ca <file>', 'trust this CA (PEM) for the https target and its probes, instead of the default trust store')
    .option('--cert <file>', 'client certificate (PEM) for mutual TLS (with --key)')
    .option('--key <file>', 'private key (PEM, unencrypted) of the client certificate')
    .option('--insecure', "do not check the target's TLS certificate (a warning is printed and the result records it)")
    .option('--http2', 'offer HTTP/2 (ALPN h2) to the https target; servers without it answer in HTTP/1.1')
    .addOption(
      new Option('--client <name>', "HTTP client: auto (plain HTTP/1.1 through overload's own, the rest through undici) or undici").choices(
        ['auto', 'undici'],
      ),
    );
}

/** Guardrails and kill switches (every command that sends). */
export function addGuardOptions(cmd: Command): Command {
  return cmd
    .option('--max-rate <rps>', 'hard rate ceiling: no 1 s window exceeds it, whatever the profile says', rateArg)
    .option('--max-requests <n>', 'at most N requests in total, across all workers and phases', positiveIntArg)
    .option('--max-duration <time>', 'stop the whole command after this long', durationArg)
    .option('--budget <name=N>', 'side-effect budget, e.g. emails=100 (repeatable; the run stops before it can be exceeded)', budgetArg)
    .option('--abort-on-errors <rate/window>', 'stop when errors exceed a rate over a window (default 50%/5s)', abortOnErrorsArg)
    .option('--no-abort-on-errors', 'never stop on an error burst')
    .option('--kill-file <path>', 'creating this file stops the run (any operator can)', nonEmptyArg('a file path'))
    .option('--control-port <port>', 'serve GET /status and POST /stop on 127.0.0.1:<port> (0 = any free port)', portArg)
    .option(
      '--dashboard [port]',
      'serve a live dashboard with a Stop button on 127.0.0.1 (any free port, or this one; also OVERLOAD_DASHBOARD=1)',
      portArg,
    )
    .option('--dashboard-host <host>', 'address the dashboard listens on (default 127.0.0.1)', nonEmptyArg('a host address'))
    .option('--control-token <token>', 'bearer token for the control endpoint (default: random, printed)', nonEmptyArg('a token'))
    .option('--run-id-header <name>', 'header carrying the run id on every request (default x-overload-run)', headerNameArg);
}

/** Scenario and judgement options (ramp, search, plan). */
export function addScenarioOptions(cmd: Command): Command {
  return cmd
    .option('--target <url>', "base URL of the target (overrides the scenario; default: the scenario's embedded demo target)", urlArg)
    .option('--target-option <key=value>', 'option for the embedded demo target, e.g. bug=sticky-breaker (repeatable)', keyValueArg)
    .option('--profile <profile>', 'ramp profile, e.g. "step:start=100,step=100,every=10s,max=2000" or "stages:30s@100,1m@2000" or JSON')
    .option('--slo <conditions>', 'SLO, e.g. "p99<500ms,p50<100ms,errors<1%,achieved>95%,queue_depth<1000"')
    .option(
      '--probe <name=kind:url>',
      'side-channel probe, e.g. "depth=prometheus:http://127.0.0.1:9100/metrics#queue_depth" (repeatable)',
      collect,
    )
    .option(
      '--action <name=METHOD path@moment>',
      'HTTP call on the target at a moment, e.g. "pause=POST /admin/pause@10s", "resume=POST /admin/resume@40s,always" (repeatable)',
      collect,
    );
}

export function addRecoveryOptions(cmd: Command): Command {
  return cmd
    .option('--no-recovery', 'skip the recovery check after a collapse')
    .option('--cooldown <time>', 'quiet time between the collapse and the recovery baseline (default 2s)', durationOrZeroArg)
    .option('--recovery-within <time>', 'how long the baseline may take to meet the SLO (default 15s)', durationArg)
    .option('--recovery-baseline <rate|ratio%>', 'recovery baseline: a rate in req/s or a % of the knee (default 10%)', ratioOrRateArg);
}

export function addOutputOptions(cmd: Command): Command {
  return cmd
    .option('--out-dir <dir>', 'write result files here (default ./overload-results/<name>-<time>)', nonEmptyArg('a directory'))
    .option('--json <file>', 'write the result JSON to this file', nonEmptyArg('a file path'))
    .option('-q, --quiet', 'no live progress')
    .addOption(new Option('--log-level <level>', 'pino log level (default warn; info with --log-file)').choices(LOG_LEVELS))
    .option('--log-file <file>', 'write structured logs to this file', nonEmptyArg('a file path'));
}
