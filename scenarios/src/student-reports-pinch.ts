import { defineScenario } from '@overload/core';
import studentReports from './student-reports.js';

/**
 * The pinch test from the seed story, for real, on the simulated Student Reports service: report
 * requests keep arriving at 150/s, and they keep being accepted (202), while the report consumers
 * are paused for 15 s, so the backlog builds inside the target, as it did when consumption of new
 * orders was paused. Then the consumers are resumed and the whole backlog hits them at once. The
 * run reports the render queue's peak, how long it took to drain after the release, how fast the
 * consumers drained it against their steady rate (from the service's own completed-reports
 * counter), whether the SLO held after the release and whether the service settled back: all read
 * from the probes and the resume action's actual time. The resume is `always`: a run stopped
 * halfway (Ctrl-C, kill file, a guardrail) still resumes the consumers before overload exits.
 */
export default defineScenario({
  ...studentReports,
  name: 'student-reports-pinch',
  description: 'Pinch test: pause the report consumers for 15 s under steady demand, resume them, time the queue drain',
  embeddedTarget: {
    ...studentReports.embeddedTarget!,
    // 2 ms of CPU a document: the consumers render ~500 reports/s, so the 15 s backlog (~2,250
    // reports) drains in several seconds, long enough for the probes to time it, at about three
    // times the steady rate.
    options: { ...studentReports.embeddedTarget!.options, renderCpuMs: 2 },
  },
  journeys: undefined,
  requests: [
    {
      name: 'generate',
      method: 'POST',
      path: '/districts/{{districts.id}}/students/{{students.id}}/reports',
      expectStatus: [202],
      sideEffects: { reports: 1, emailsOnFailure: 1 },
    },
  ],
  profile: { kind: 'constant', rateRps: 150, durationMs: '35s' },
  actions: [
    { name: 'pause consumers', at: '5s', method: 'POST', path: '/admin/consumers/pause' },
    {
      name: 'resume consumers',
      at: '20s',
      method: 'POST',
      path: '/admin/consumers/resume',
      always: true,
      release: { queue: 'render_queue', completed: 'reports_done' },
    },
  ],
  probes: [
    // Sampled every 200 ms: the drain time is read to within that.
    {
      name: 'render_queue',
      kind: 'prometheus',
      url: '/metrics',
      metric: 'student_reports_queue_depth',
      labels: { stage: 'render' },
      intervalMs: 200,
      timeoutMs: 150,
    },
    { name: 'reports_done', kind: 'prometheus', url: '/metrics', metric: 'student_reports_done_total', intervalMs: 200, timeoutMs: 150 },
    {
      name: 'consumers_paused',
      kind: 'prometheus',
      url: '/metrics',
      metric: 'student_reports_consumers_paused',
      intervalMs: 500,
      timeoutMs: 400,
    },
    // The front door's own queue: the producers keep answering while the consumers are paused.
    {
      name: 'translation_queue',
      kind: 'prometheus',
      url: '/metrics',
      metric: 'student_reports_queue_depth',
      labels: { stage: 'translation' },
      intervalMs: 500,
      timeoutMs: 400,
    },
  ],
  // The producers must keep answering while the consumers are paused: that is the point.
  slo: 'p99<500ms,errors<1%',
  safety: { ...studentReports.safety, errorBurst: false },
});
