import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { ValidationError } from '@overload/core/internal';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { loadScenario } from '../scenario/load.js';

/**
 * `overload target student-reports --port 9000`: runs a scenario's simulated target in the
 * foreground, for exploring it by hand (curl its /metrics, point a dashboard at it). Loopback
 * only, like every target overload starts.
 */
export function registerTarget(program: Command, setExit: (code: ExitCode) => void): void {
  program
    .command('target')
    .description("run a scenario's embedded demo target in the foreground on 127.0.0.1 (Ctrl-C to stop)")
    .argument('<scenario>', 'a scenario with an embedded target, e.g. student-reports')
    .option('--port <port>', 'port on 127.0.0.1 (default: any free port)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`expected a port 0-65535 (got "${v}")`);
      return n;
    })
    .option('--target-option <key=value>', 'target option, e.g. bug=sticky-breaker (repeatable)', (v: string, prev: string[] = []) => [
      ...prev,
      v,
    ])
    .addHelpText(
      'after',
      '\nExamples:\n  $ overload target student-reports --port 9000\n  $ overload target student-reports --target-option bug=sticky-breaker',
    )
    .action(async (ref: string, flags: { port?: number; targetOption?: string[] }) => {
      const { scenario, file } = await loadScenario(ref);
      if (!scenario.embeddedTarget) {
        throw new ValidationError(
          'scenario',
          [{ path: 'embeddedTarget', message: `scenario "${scenario.name}" has no embedded target` }],
          'OVL_INVALID_SCENARIO',
        );
      }
      const module = resolve(dirname(file), scenario.embeddedTarget.module);
      const options = [
        ...Object.entries(scenario.embeddedTarget.options ?? {}).map(([k, v]) => `${k}=${String(v)}`),
        ...(flags.targetOption ?? []),
      ];
      const child = spawn(process.execPath, [module, '--port', String(flags.port ?? 0), ...options.flatMap((o) => ['--option', o])], {
        stdio: 'inherit',
      });
      const forward = (signal: NodeJS.Signals) => child.kill(signal);
      process.on('SIGINT', forward);
      process.on('SIGTERM', forward);
      const [code] = (await once(child, 'exit')) as [number | null];
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      setExit(code === 0 || code === null ? EXIT.ok : code === 2 ? EXIT.usage : EXIT.internal);
    });
}
