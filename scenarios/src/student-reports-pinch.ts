import { defineScenario } from '@overload/core';
import studentReports from './student-reports.js';

/**
 * The pinch test from the seed story, on the simulated Student Reports service: demand keeps
 * arriving at 150 req/s but nothing is sent for 20 s (consumption paused), then the backlog is
 * released at 1,000 req/s. The run reports how long the service's translation queue took to
 * drain after the release, from the probe series.
 */
export default defineScenario({
  ...studentReports,
  name: 'student-reports-pinch',
  description: 'Pinch test: hold report demand for 20 s, release the backlog at once, time the queue drain',
  profile: { kind: 'pinch', baseRps: 150, holdMs: '20s', releaseRps: 1000, beforeMs: '5s', afterMs: '20s' },
  // The release is meant to hurt: judge nothing, stop only on the guardrails.
  slo: 'p99<60s',
  safety: { ...studentReports.safety, errorBurst: false },
});
