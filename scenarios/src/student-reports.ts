import { defineScenario } from '@overload/core';

/**
 * The seed story, runnable: the Student Reports service before "back to school". A district admin
 * asks for a student's report, waits for it to be ready, and downloads the document: one journey.
 * Report generation goes through a translated-copy database with four slots that half the team
 * did not know existed; every failed report sends one email; five failures in a row open a
 * circuit breaker. With no --target, overload starts a simulated copy of the service on 127.0.0.1
 * and ramps the journeys to collapse, watching the translation queue, the breaker and the emails
 * through probes, then checks that the service heals once the load is gone.
 */
const DISTRICTS = Array.from({ length: 24 }, (_, i) => ({ id: `district-${String(i + 1).padStart(2, '0')}` }));

export default defineScenario({
  name: 'student-reports',
  description:
    'Student Reports before back to school: ramp the generate → poll → download journey to collapse, find the hidden DB bottleneck, check recovery',
  embeddedTarget: {
    // Relative to this file as shipped: dist/student-reports.js next to dist/student-reports/.
    module: './student-reports/target-main.js',
    // The translated-copy DB client gives up after 250 ms, but the DB still runs the abandoned
    // query: past capacity it does only wasted work, failures come in a row, and the breaker trips.
    options: { translationTimeoutMs: 250, runAbandonedQueries: true },
  },
  feeders: {
    districts: DISTRICTS,
    // 1,000 students per district, in a scattered but repeatable order.
    students: (i: number) => ({ id: `student-${((i * 7919) % 1000) + 1}` }),
  },
  journeys: [
    {
      name: 'get-report',
      steps: [
        {
          name: 'generate',
          method: 'POST',
          path: '/districts/{{districts.id}}/students/{{students.id}}/reports',
          expectStatus: [202],
          // The id of the report this journey asked for: polled and downloaded below, never another's.
          capture: { id: { json: 'id' } },
          // Each request creates a report; a failed one sends an email to the district's team.
          sideEffects: { reports: 1, emailsOnFailure: 1 },
        },
        {
          name: 'poll',
          path: '/reports/{{id}}',
          // Until the report is rendered (or its render failed), every 250 ms, for at most 10 s.
          poll: { until: { json: 'status', in: ['done', 'failed'] }, intervalMs: '250ms', maxMs: '10s' },
          check: { json: 'status', equals: 'done' },
        },
        { name: 'download', path: '/reports/{{id}}/document' },
      ],
    },
  ],
  // What a district admin tolerates from asking for a report to holding the document (the
  // journey's p99), no failed reports, and the hidden bottleneck: 100 waiting translation queries
  // is a 200 ms wait (4 slots × 8 ms each), just short of the DB client's 250 ms timeout, past
  // which failures, their emails and the breaker follow. Journeys that take longer end later than
  // they started, so the achieved floor allows for that lag.
  slo: 'journey:get-report p99<1s,journey:get-report errors<1%,achieved>80%,translation_queue<100,breaker_open==0',
  probes: [
    // The queue fills in a second or two and empties as soon as the breaker opens: sampled every
    // 200 ms so the window in which it breaches is seen.
    {
      name: 'translation_queue',
      kind: 'prometheus',
      url: '/metrics',
      metric: 'student_reports_queue_depth',
      labels: { stage: 'translation' },
      intervalMs: 200,
      timeoutMs: 150,
    },
    {
      name: 'render_queue',
      kind: 'prometheus',
      url: '/metrics',
      metric: 'student_reports_queue_depth',
      labels: { stage: 'render' },
      intervalMs: 500,
      timeoutMs: 400,
    },
    { name: 'breaker_open', kind: 'prometheus', url: '/metrics', metric: 'student_reports_breaker_open', intervalMs: 200, timeoutMs: 150 },
    {
      name: 'emails_sent',
      kind: 'prometheus',
      url: '/metrics',
      metric: 'student_reports_emails_sent_total',
      intervalMs: 500,
      timeoutMs: 400,
    },
    { name: 'health', kind: 'http', url: '/health', intervalMs: 500, timeoutMs: 400 },
  ],
  // 250 → 900 journeys/s in steps of 50 every 6 s; each journey is a report request, a poll or
  // two and a download (about 3.4 requests). The simulated service's knee is near 450–500
  // journeys/s (4 DB slots × 8 ms ≈ 500 reports/s), so the ramp collapses within about 40 s.
  // From 250/s a step's judged 5 s hold more than the 1,000 journeys the p99 needs.
  profile: { kind: 'step', startRps: 250, stepRps: 50, stepDurationMs: '6s', maxRps: 900 },
  timeoutMs: '5s',
  safety: {
    allowedHosts: ['loopback'],
    // The lesson of the first "small" test: bound what the test can do to other teams. Every
    // failed generate request is counted as an email (the test cannot see which 503s sent one).
    budgets: { emails: 5_000, reports: 60_000 },
    maxRps: 1000,
    maxDurationMs: '3m',
  },
  recovery: { baselineRatio: 0.1, cooldownMs: '2s', withinMs: '20s', windowMs: '3s' },
});
