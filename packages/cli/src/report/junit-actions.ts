import type { ActionRecord, StretchVerdict } from '@overload/core/internal';
import type { StoredPinch } from '../output/pinch-summary.js';
import { formatPinch } from '../output/pinch-summary.js';
import type { Case, Outcome } from './junit.js';

/**
 * One testcase per action (classname `actions`): sent and answered as expected, failed (a
 * clean-up that failed is `not-undone`: the target may still be in the state the test put it
 * in), or skipped when its moment never came. The name is the action's, so CI tracks it by run.
 */
export function actionCases(records: readonly ActionRecord[] | undefined): Case[] {
  return (records ?? []).map((r) => {
    const name = `${r.name}: ${r.method} at ${r.at}${r.always ? ' (always)' : ''}`;
    const timeSec = ((r.durationMs ?? 0) / 1000).toFixed(3);
    const when =
      r.actualAtMs === undefined
        ? ''
        : ` at ${(r.actualAtMs / 1000).toFixed(2)} s${r.intendedAtMs !== undefined ? ` (due ${(r.intendedAtMs / 1000).toFixed(2)} s)` : r.ranAtStop ? ' (when the run stopped)' : ''}`;
    const outcome: Outcome = r.skipped
      ? { kind: 'skipped', message: `not sent: the run ended before ${r.at}` }
      : r.ok
        ? { kind: 'passed', out: `${r.method} ${r.url}${when}: ${r.status}` }
        : {
            kind: 'failure',
            type: r.always ? 'not-undone' : 'action-failed',
            message: `${r.name} failed: ${r.error ?? 'unknown error'}`,
            body: `${r.method} ${r.url}${when}`,
          };
    return { classname: 'actions', name, timeSec, outcome };
  });
}

/**
 * A pinch's findings as testcases (classname `pinch`): the queue drained, the SLO held after the
 * release, the target settled back. They report what the summary says; like the rest of a plain
 * run's SLO reading, they do not change the exit code.
 */
export function pinchCases(p: StoredPinch | undefined): Case[] {
  if (!p) return [];
  const q = p.queues.find((x) => x.probe === p.queue);
  const all = formatPinch(p).join('\n');
  const drained: Outcome = !q?.rose
    ? { kind: 'skipped', message: 'no queue rose during the hold' }
    : q.drained
      ? { kind: 'passed', out: all }
      : { kind: 'failure', type: 'not-drained', message: `${q.probe} had not drained when the load stopped`, body: all };
  const cases: Case[] = [
    { classname: 'pinch', name: `${p.queue ?? 'the queue'} drains after the release`, timeSec: '0.000', outcome: drained },
  ];
  if (p.sloAfterRelease) cases.push(stretchCase('SLO holds after the release', p.sloAfterRelease, 'breached'));
  const r = p.recovery;
  cases.push({
    classname: 'pinch',
    name: 'target settles back after the drain',
    timeSec: '0.000',
    outcome:
      r.status === 'held'
        ? { kind: 'passed', out: r.detail }
        : r.status === 'unjudged'
          ? { kind: 'skipped', message: r.detail }
          : { kind: 'failure', type: 'not-recovered', message: r.detail, body: r.detail },
  });
  return cases;
}

function stretchCase(name: string, v: StretchVerdict, type: string): Case {
  const timeSec = (Math.max(0, v.toMs - v.fromMs) / 1000).toFixed(3);
  const outcome: Outcome =
    v.status === 'held'
      ? { kind: 'passed', out: v.detail }
      : v.status === 'unjudged'
        ? { kind: 'skipped', message: v.detail }
        : { kind: 'failure', type, message: v.detail, body: v.detail };
  return { classname: 'pinch', name, timeSec, outcome };
}
