import { defineScenario } from '@overload/core';

/**
 * The seed story, runnable: the Student Reports service before "back to school". Report
 * generation goes through a translated-copy database with four slots that half the team did not
 * know existed; every failed report sends one email; five failures in a row open a circuit
 * breaker. With no --target, overload starts a simulated copy of the service on 127.0.0.1 and
 * ramps it to collapse, watching the translation queue, the breaker and the emails through
 * probes, then checks that the service heals once the load is gone.
 */
const DISTRICTS = Array.from({ length: 24 }, (_, i) => ({ id: `district-${String(i + 1).padStart(2, '0')}` }));

export default defineScenario({
  name: 'student-reports',
  description: 'Student Reports before back to school: ramp report generation to collapse, find the hidden DB bottleneck, check recovery',
  embeddedTarget: {
    // Relative to this file as shipped: dist/student-reports.js next to dist/student-reports/.
    module: './student-reports/target-main.js',
    // Answer a report request once it is rendered, so every failure (and its email) is seen. The
    // translated-copy DB client gives up after 250 ms, but the DB still runs the abandoned query:
    // past capacity it does only wasted work, failures come in a row, and the breaker trips.
    options: { respondAfterRender: true, translationTimeoutMs: 250, runAbandonedQueries: true },
  },
  feeders: {
    districts: DISTRICTS,
    // 1,000 students per district, in a scattered but repeatable order; a pair comes back every
    // 3,000 arrivals, so polls and downloads find reports generated a few seconds earlier.
    students: (i: number) => ({ id: `student-${((i * 7919) % 1000) + 1}` }),
  },
  requests: [
    {
      name: 'generate report',
      weight: 6,
      method: 'POST',
      path: '/districts/{{districts.id}}/students/{{students.id}}/reports',
      expectStatus: [[200, 299]],
      // Each request creates a report; a failed one sends an email to the district's team.
      sideEffects: { reports: 1, emailsOnFailure: 1 },
    },
    {
      name: 'poll status',
      weight: 3,
      path: '/districts/{{districts.id}}/students/{{students.id}}/reports/latest',
      // Not generated yet is a normal answer while polling.
      expectStatus: [200, 404],
    },
    {
      name: 'download document',
      weight: 1,
      path: '/districts/{{districts.id}}/students/{{students.id}}/reports/latest/document',
      expectStatus: [200, 404, 409],
    },
  ],
  // Latency a district admin tolerates, no failed reports, and the hidden bottleneck's queue.
  slo: 'p99<300ms,p50<100ms,errors<1%,translation_queue<100,breaker_open==0',
  probes: [
    { name: 'translation_queue', kind: 'prometheus', url: '/metrics', metric: 'student_reports_queue_depth', labels: { stage: 'translation' }, intervalMs: 500, timeoutMs: 400 },
    { name: 'render_queue', kind: 'prometheus', url: '/metrics', metric: 'student_reports_queue_depth', labels: { stage: 'render' }, intervalMs: 500, timeoutMs: 400 },
    { name: 'breaker_open', kind: 'prometheus', url: '/metrics', metric: 'student_reports_breaker_open', intervalMs: 500, timeoutMs: 400 },
    { name: 'emails_sent', kind: 'prometheus', url: '/metrics', metric: 'student_reports_emails_sent_total', intervalMs: 500, timeoutMs: 400 },
    { name: 'health', kind: 'http', url: '/health', intervalMs: 500, timeoutMs: 400 },
  ],
  // 200 → 1,500 req/s in steps of 100 every 6 s (84 s at most); the simulated service's knee is
  // near 700 req/s of this mix (4 DB slots × 8 ms ≈ 450 reports/s, 60 % of requests generate).
  profile: { kind: 'step', startRps: 200, stepRps: 100, stepDurationMs: '6s', maxRps: 1500 },
  timeoutMs: '5s',
  safety: {
    allowedHosts: ['loopback'],
    // The lesson of the first "small" test: bound what the test can do to other teams. Every
    // failed generate request is counted as an email (the test cannot see which 503s sent one).
    budgets: { emails: 5_000, reports: 60_000 },
    maxRps: 2000,
    maxDurationMs: '3m',
  },
  recovery: { baselineRatio: 0.1, cooldownMs: '2s', withinMs: '20s', windowMs: '3s' },
});
