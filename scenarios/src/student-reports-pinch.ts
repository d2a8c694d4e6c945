import { defineScenario } from '@overload/core';
import studentReports from './student-reports.js';

/**
 * The pinch test from the seed story, for real, on the simulated Student Reports service: report
 * requests keep arriving at 150/s, and they keep being accepted (202), while the report consumers
 * are paused for 15 s, so the backlog builds inside the target, as it did when consumption of new
 * orders was paused. Then the consumers are resumed and the whole backlog hits them at once. The
 * run reports the render queue's peak and how long it took to drain after the release, read from
 * the probe and the resume action's actual time. The resume is `always`: a run stopped halfway
 * (Ctrl-C, kill file, a guardrail) still resumes the consumers before overload exits.
 */
export default defineScenario({
  ...studentReports,
  name: 'student-reports-pinch',
  description: 'Pinch test: pause the report consumers for 15 s under steady demand, resume them, time the queue drain',
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
    { name: 'resume consumers', at: '20s', method: 'POST', path: '/admin/consumers/resume', always: true, release: true },
  ],
  // The producers must keep answering while the consumers are paused: that is the point.
  slo: 'p99<500ms,errors<1%',
  safety: { ...studentReports.safety, errorBurst: false },
});
