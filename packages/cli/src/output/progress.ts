import type { IntervalStats } from '@overload/core/internal';
import { int, ms } from './format.js';
import { formatIntervalLine } from './run-summary.js';

export interface ProgressContext {
  readonly phase: string;
  readonly step?: string;
  readonly budgets?: Readonly<Record<string, { used: number; limit: number }>>;
  readonly timeLeftMs?: number;
}

/**
 * Live progress on stderr. On a TTY a small block is redrawn in place each interval (phase,
 * step, offered/achieved, in-flight, p50/p99, errors, drops, budgets, time left) with event
 * lines scrolling above it; elsewhere (CI logs, pipes) one plain line per interval.
 */
export class Progress {
  readonly #out: NodeJS.WriteStream;
  readonly #tty: boolean;
  readonly #quiet: boolean;
  #blockLines = 0;
  #block = '';
  readonly #write: (text: string) => void;

  constructor(out: NodeJS.WriteStream = process.stderr, options: { quiet?: boolean; tty?: boolean } = {}) {
    this.#out = out;
    this.#tty = options.tty ?? Boolean(out.isTTY);
    this.#quiet = options.quiet ?? false;
    const original = out.write.bind(out) as (chunk: unknown, ...rest: unknown[]) => boolean;
    this.#write = (text) => void original(text);
    if (this.#tty && !this.#quiet) {
      // Anything else written to the stream (a warning, the dashboard URL, a second-signal notice)
      // goes above the block, never into it: the block is cleared first and redrawn after a whole line.
      const patched = ((chunk: unknown, ...rest: unknown[]) => {
        if (this.#blockLines === 0) return original(chunk, ...rest);
        const block = this.#block;
        this.#clear();
        const ok = original(chunk, ...rest);
        if (String(chunk).endsWith('\n')) this.#draw(block);
        return ok;
      }) as typeof out.write;
      out.write = patched;
    }
  }

  interval(i: IntervalStats, ctx: ProgressContext): void {
    if (this.#quiet) return;
    const budgets = Object.entries(ctx.budgets ?? {})
      .map(([name, b]) => `${name} ${int(b.used)}/${int(b.limit)}`)
      .join(', ');
    if (!this.#tty) {
      const extra = `  [${ctx.phase}${ctx.step ? ` ${ctx.step}` : ''}]${budgets ? `  budgets ${budgets}` : ''}`;
      this.#out.write(`${formatIntervalLine(i, extra)}\n`);
      return;
    }
    const lines = [
      `${ctx.phase}${ctx.step ? ` · ${ctx.step}` : ''}${ctx.timeLeftMs !== undefined ? ` · ${Math.max(0, Math.ceil(ctx.timeLeftMs / 1000))} s left` : ''}`,
      `offered ${int(i.offeredRps)}/s  achieved ${int(i.achievedRps)}/s  in-flight ${int(i.inFlight)}  p50 ${ms(i.latencyMs.p50)}  p99 ${ms(i.latencyMs.p99)}  errors ${int(i.errors)}  drops ${int(i.dropped + i.droppedGenerator)}`,
      ...(budgets ? [`budgets used: ${budgets}`] : []),
    ];
    this.#clear();
    this.#draw(`${lines.join('\n')}\n`);
  }

  #draw(block: string): void {
    if (block === '') return;
    this.#write(block);
    this.#block = block;
    this.#blockLines = block.split('\n').length - 1;
  }

  /** A line that stays (a decision, a phase change). */
  event(line: string): void {
    if (this.#quiet) return;
    this.#clear();
    this.#write(`${line}\n`);
  }

  done(): void {
    this.#clear();
  }

  #clear(): void {
    if (this.#tty && this.#blockLines > 0) {
      this.#write(`\x1b[${this.#blockLines}A\x1b[J`);
      this.#blockLines = 0;
      this.#block = '';
    }
  }
}
