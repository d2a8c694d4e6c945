/**
 * The counts every interval, window, step and run carries, in one shape with one way to add
 * them, so that `sent = responses + transportErrors + abandoned` is one assertion everywhere.
 *
 * - offered: arrivals the send loop reached (sent, or dropped at the in-flight cap, or dropped
 *   by the generator for being too late), counted in the interval of their intended time;
 * - sent: requests written (a journey sends several per arrival);
 * - responses: HTTP responses of any status; ok: those with an expected status;
 * - errors: failed requests, an unexpected status included; transportErrors: those with no
 *   response at all (refused, reset, timeout, protocol, TLS, other);
 * - abandoned: sent, never answered, given up at the end of the drain;
 * - dropped: arrivals that found the in-flight cap full (the target was too slow to take them);
 *   droppedGenerator: arrivals the generator reached too late to send (its own fault).
 */
export interface Counts {
  readonly offered: number;
  readonly sent: number;
  readonly responses: number;
  readonly ok: number;
  readonly errors: number;
  readonly transportErrors: number;
  readonly abandoned: number;
  readonly dropped: number;
  readonly droppedGenerator: number;
}

export const COUNT_FIELDS = [
  'offered',
  'sent',
  'responses',
  'ok',
  'errors',
  'transportErrors',
  'abandoned',
  'dropped',
  'droppedGenerator',
] as const satisfies readonly (keyof Counts)[];

export function zeroCounts(): { -readonly [K in keyof Counts]: number } {
  return { offered: 0, sent: 0, responses: 0, ok: 0, errors: 0, transportErrors: 0, abandoned: 0, dropped: 0, droppedGenerator: 0 };
}

/** Adds `from` into `into`, field by field. */
export function addCounts(into: { -readonly [K in keyof Counts]: number }, from: Counts): void {
  for (const k of COUNT_FIELDS) into[k] += from[k] ?? 0;
}

/** The sum of several counts (intervals, shards, windows). */
export function sumCounts(items: Iterable<Counts>): Counts {
  const out = zeroCounts();
  for (const c of items) addCounts(out, c);
  return out;
}

/** Just the count fields of something that has them (an interval, a window), e.g. for a result's totals. */
export function countsOf(c: Counts): Counts {
  const out = zeroCounts();
  addCounts(out, c);
  return out;
}
