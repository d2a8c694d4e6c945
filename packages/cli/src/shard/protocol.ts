/**
 * The coordinator protocol, in one file: plain JSON over HTTP/1.1, every request from a shard to
 * the coordinator (shards dial out; the coordinator never dials a shard, so a shard behind NAT or
 * a pod network works), each with `Authorization: Bearer <token>`.
 *
 *   POST /v1/join       {index, count, fingerprint, workers}  → {runId, nowMs}   (409: refused, why)
 *   GET  /v1/orders?shard=i&after=seq                         → {orders, nowMs}  (held up to ORDERS_HOLD_MS)
 *   POST /v1/ready      {index, phaseId}     a phase's workers are ready: the coordinator answers with one `go`
 *   POST /v1/intervals  {index, phaseId, intervals}            each merged interval of the shard, as it ends
 *   POST /v1/done       {index, phaseId, stopReason, …}        the phase ended on that shard; all intervals were sent
 *   POST /v1/leave      {index, reason}      the shard refuses to take part (clock, late), or gives up
 *
 * The orders long-poll is the heartbeat both ways: a shard polls again as soon as a poll returns,
 * and the coordinator holds a poll at most ORDERS_HOLD_MS, so a live link never goes quiet for
 * longer than that. Either side that hears nothing for its LOST_AFTER bound acts alone: a shard
 * stops sending (Artillery #3705: no heartbeat, no load), the coordinator stops every other shard
 * and calls the run incomplete. Bodies are bounded (MAX_BODY_BYTES) and so is what a shard keeps
 * unsent: it stops on its own long before its queue of intervals could grow.
 */
import type { IntervalStats, Profile, SerializedError, StopReason } from '@overload/core/internal';

export const API = '/v1';

/** The longest the coordinator holds an orders poll with nothing to say. */
export const ORDERS_HOLD_MS = 500;
/** A shard that has had no answer from its coordinator for this long stops sending by itself. */
export const COORDINATOR_LOST_AFTER_MS = 2000;
/** The coordinator calls a shard lost (crashed, cut off) after this long without a word from it. */
export const SHARD_LOST_AFTER_MS = 3000;
/** Each request to the coordinator gives up after this long (a poll is held ORDERS_HOLD_MS). */
export const REQUEST_TIMEOUT_MS = 1500;
/**
 * T0 is set this far after the last shard said its workers are ready, so that the `go` order
 * reaches every shard (and its worker threads, START_MARGIN_MS ahead) before the first arrival.
 */
export const GO_LEAD_MS = 1000;
/** How long a phase's workers may take to get ready on every shard before the missing are lost. */
export const READY_TIMEOUT_MS = 60_000;
/**
 * The default bound on a shard's clock offset from the coordinator's. Every interval is keyed by
 * schedule time, so merging never depends on clocks; the shared start does: a shard whose clock
 * is off by δ sends its slice δ early or late. 100 ms moves at most a tenth of one shard's share
 * across each 1 s boundary, well inside what the judge's 1 s warm-up absorbs; NTP-synced nodes are
 * within a few ms.
 */
export const DEFAULT_MAX_CLOCK_SKEW_MS = 100;
export const MAX_BODY_BYTES = 32 * 1024 * 1024;

/**
 * What every shard and the coordinator must agree on before anything is sent: the same target,
 * request mix, arrival process, caps and budgets. The profile is not here: the coordinator hands
 * each phase's profile to the shards.
 */
export interface Fingerprint {
  readonly target: string;
  readonly method: string;
  readonly scenario: string;
  readonly arrivals: string;
  readonly seed: number;
  readonly maxRps: number | null;
  readonly maxRequests: number | null;
  readonly budgets: Readonly<Record<string, number>>;
  readonly allowedHosts: readonly string[];
  readonly intervalMs: number;
}

export interface JoinRequest {
  readonly index: number;
  readonly count: number;
  readonly fingerprint: Fingerprint;
  readonly workers: number;
}

export interface JoinReply {
  readonly runId: string;
  readonly nowMs: number;
  readonly maxClockSkewMs: number;
}

/** What a phase overrides in the shard's own plan (the recovery baseline has its own profile and cap). */
export interface PhaseOrder {
  readonly seq: number;
  readonly type: 'phase';
  readonly phaseId: number;
  readonly profile: Profile;
  readonly maxRequests?: number;
  readonly errorBurst?: false;
}

export type Order =
  | PhaseOrder
  | { readonly seq: number; readonly type: 'go'; readonly phaseId: number; readonly startAtEpochMs: number }
  | {
      readonly seq: number;
      readonly type: 'stop';
      readonly phaseId: number;
      readonly reason: StopReason;
      readonly detail: string;
      readonly immediate: boolean;
    }
  /** The command is over: write results and exit. */
  | { readonly seq: number; readonly type: 'finish'; readonly detail: string };

export interface OrdersReply {
  readonly orders: readonly Order[];
  readonly nowMs: number;
  /** The coordinator has given this shard up (it was lost): stop now. */
  readonly gone?: string;
}

export interface IntervalsMessage {
  readonly index: number;
  readonly phaseId: number;
  readonly intervals: readonly IntervalStats[];
}

export interface DoneMessage {
  readonly index: number;
  readonly phaseId: number;
  readonly stopReason: StopReason;
  readonly stopDetail?: string;
  readonly workerErrors: readonly SerializedError[];
  readonly budgetsUsed: Readonly<Record<string, number>>;
  /** The phase failed on the shard before or while running (not ready by T0, a crash). */
  readonly error?: SerializedError;
}

/** The differences between two fingerprints, as "field: a vs b" lines. */
export function fingerprintDifferences(ours: Fingerprint, theirs: Fingerprint): string[] {
  const out: string[] = [];
  for (const key of Object.keys(ours) as (keyof Fingerprint)[]) {
    const a = JSON.stringify(ours[key]);
    const b = JSON.stringify(theirs?.[key]);
    if (a !== b) out.push(`${key}: the coordinator has ${a}, the shard has ${b ?? 'none'}`);
  }
  return out;
}

/**
 * The offset of a shard's clock from the coordinator's, NTP-style: the coordinator read its clock
 * (`remoteMs`) somewhere between the shard's send (`sentMs`) and receive (`receivedMs`), so the
 * offset is known to within half the round trip.
 */
export function clockOffset(
  sentMs: number,
  remoteMs: number,
  receivedMs: number,
): { readonly offsetMs: number; readonly uncertaintyMs: number } {
  return { offsetMs: remoteMs - (sentMs + receivedMs) / 2, uncertaintyMs: Math.max(0, receivedMs - sentMs) / 2 };
}

/** An order before the coordinator numbers it. */
export type OrderBody = Order extends infer O ? (O extends Order ? Omit<O, 'seq'> : never) : never;
