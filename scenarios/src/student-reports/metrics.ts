import type { StudentReportsSnapshot } from './target.js';

/**
 * The service's /metrics page in the Prometheus text exposition format (version 0.0.4): the
 * dashboard the seed team had to build before their load tests could tell them anything. Queue
 * depth per stage is the signal that shows where the collapse starts.
 */

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

interface Family {
  readonly name: string;
  readonly type: 'gauge' | 'counter';
  readonly help: string;
  readonly samples: ReadonlyArray<readonly [labels: string, value: number]>;
}

export function formatMetrics(s: StudentReportsSnapshot): string {
  const breakerStates = ['closed', 'open', 'half-open'] as const;
  const families: Family[] = [
    {
      name: 'student_reports_queue_depth',
      type: 'gauge',
      help: 'Reports waiting per stage: translation = waiting for a translated-copy DB slot, render = waiting for a renderer.',
      samples: [
        ['{stage="translation"}', s.translation.waiting],
        ['{stage="render"}', s.render.waiting],
      ],
    },
    {
      name: 'student_reports_in_progress',
      type: 'gauge',
      help: 'Reports being worked on per stage: translation = DB queries running, render = reports in the current render batch.',
      samples: [
        ['{stage="translation"}', s.translation.inProgress],
        ['{stage="render"}', s.render.inProgress],
      ],
    },
    {
      name: 'student_reports_requested_total',
      type: 'counter',
      help: 'Report requests received (POST), including those the open breaker refused.',
      samples: [['', s.requested]],
    },
    {
      name: 'student_reports_accepted_total',
      type: 'counter',
      help: 'Report requests answered 202 and queued for rendering.',
      samples: [['', s.accepted]],
    },
    { name: 'student_reports_done_total', type: 'counter', help: 'Reports rendered successfully.', samples: [['', s.done]] },
    {
      name: 'student_reports_consumers_paused',
      type: 'gauge',
      help: 'Whether the render consumers are paused (POST /admin/consumers/pause): 1 while paused, 0 while running.',
      samples: [['', s.render.paused ? 1 : 0]],
    },
    {
      name: 'student_reports_failed_total',
      type: 'counter',
      help: 'Reports that failed (translation timeout or full queue, or a failed render); each sent one email.',
      samples: [['', s.failed]],
    },
    {
      name: 'student_reports_failures_total',
      type: 'counter',
      help: 'Failed reports by reason.',
      samples: [
        ['{reason="translation_timeout"}', s.failures.translationTimeout],
        ['{reason="translation_queue_full"}', s.failures.translationQueueFull],
        ['{reason="render"}', s.failures.render],
      ],
    },
    {
      name: 'student_reports_emails_sent_total',
      type: 'counter',
      help: 'Failure emails "sent" (counted only, never sent): one per failed report, synthetic or not.',
      samples: [['', s.emailsSent]],
    },
    {
      name: 'student_reports_rejected_total',
      type: 'counter',
      help: 'Report requests refused without becoming a report.',
      samples: [['{reason="circuit_open"}', s.rejectedCircuitOpen]],
    },
    {
      name: 'student_reports_breaker_open',
      type: 'gauge',
      help: 'Whether the translation circuit breaker is not closed (1 while open or half-open).',
      samples: [['', s.breaker.state === 'closed' ? 0 : 1]],
    },
    {
      name: 'student_reports_breaker_state',
      type: 'gauge',
      help: 'The translation circuit breaker state, one series per state set to 1 for the current one.',
      samples: breakerStates.map((state) => [`{state="${state}"}`, s.breaker.state === state ? 1 : 0] as const),
    },
    {
      name: 'student_reports_breaker_trips_total',
      type: 'counter',
      help: 'Times the translation circuit breaker opened.',
      samples: [['', s.breaker.trips]],
    },
    {
      name: 'student_reports_synthetic_requests_total',
      type: 'counter',
      help: 'Requests of any kind carrying the x-overload-run header (load-test traffic).',
      samples: [['', s.syntheticRequests]],
    },
    {
      name: 'student_reports_stored_reports',
      type: 'gauge',
      help: 'Reports kept for status and document look-ups (bounded by the retention option).',
      samples: [['', s.storedReports]],
    },
  ];
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`);
    for (const [labels, value] of family.samples) lines.push(`${family.name}${labels} ${value}`);
  }
  return `${lines.join('\n')}\n`;
}
