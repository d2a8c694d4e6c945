import {
  arrivalNamesOf,
  createHistogram,
  emptyErrorCounts,
  encodeHistogram,
  type IntervalReport,
  mergeReports,
  type NameReport,
} from '@overload/core/internal';
import { describe, expect, it } from 'vitest';

const empty = encodeHistogram(createHistogram());
const name = (ok: number, failed = 0): NameReport => ({
  count: ok + failed,
  requests: ok + failed,
  ok,
  failures: failed ? { status: failed } : {},
  tries: ok + failed,
  maxTries: 1,
  latency: empty,
  serviceTime: empty,
});

/** One worker's second: 100 journeys asked, 350 requests answered, 300 of them ok. */
function report(byName?: IntervalReport['byName']): IntervalReport {
  return {
    index: 0,
    offered: 100,
    sent: 350,
    dropped: 0,
    droppedGenerator: 0,
    responses: 350,
    ok: 300,
    errors: { ...emptyErrorCounts(), status: 50 },
    abandoned: 0,
    statusCodes: { '200': 300, '503': 50 },
    inFlight: 0,
    elu: 0.1,
    latency: empty,
    serviceTime: empty,
    lag: empty,
    ...(byName ? { byName } : {}),
  };
}

describe('IntervalStats.achievedRps: what ended well, per second', () => {
  it('counts successful responses only, never errors', () => {
    expect(mergeReports(0, 1000, [report()]).achievedRps).toBe(300);
  });

  it('with journeys, counts the journeys that ended ok when told which names are arrivals', () => {
    // names: journey, then its steps generate, poll, download.
    const names = [{ kind: 'journey' }, { kind: 'step' }, { kind: 'step' }, { kind: 'step' }];
    const byName = [name(80, 20), name(80, 20), name(150), name(70)];
    expect(mergeReports(0, 1000, [report(byName)], arrivalNamesOf(names)).achievedRps).toBe(80);
    // Without the names it can only count requests, in another unit than offered.
    expect(mergeReports(0, 1000, [report(byName)]).achievedRps).toBe(300);
  });
});
