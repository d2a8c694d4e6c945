import { EXIT, EXIT_CODE_TABLE } from '../exit-codes.js';
import { INIT_LIMITS } from './limits.js';
import type { PackageManager } from './package-manager.js';

export interface WorkflowTemplateInput {
  readonly name: string;
  readonly target: URL;
  readonly pm: PackageManager;
}

/** The Node set-up steps for the project's package manager (pnpm needs its own action first). */
function setupSteps(pm: PackageManager): string {
  const node = `      - uses: actions/setup-node@v4
        with:
          node-version: 22
          cache: ${pm.name}`;
  // pnpm/action-setup takes the version from package.json's packageManager, else it must be given.
  if (pm.name === 'pnpm') return `      - uses: pnpm/action-setup@v4\n${pm.pinned ? '' : '        with:\n          version: 10\n'}${node}`;
  if (pm.name === 'yarn') return `      - run: corepack enable\n${node}`;
  return node;
}

/** The exit codes a single-machine ramp can end with, as `overload --help` words them. */
function rampExitCodes(): string {
  const codes = [
    EXIT.ok,
    EXIT.sloBreached,
    EXIT.usage,
    EXIT.stopped,
    EXIT.notRecovered,
    EXIT.inconclusive,
    EXIT.unreachable,
    EXIT.neverHealthy,
    EXIT.internal,
  ];
  return EXIT_CODE_TABLE.split('\n')
    .filter((line) => codes.includes(Number(line.trim().split(/\s+/)[0]) as (typeof codes)[number]) && /^\s+\d/.test(line))
    .map((line) => `#${line}`)
    .join('\n');
}

/**
 * The GitHub Actions workflow `overload init` writes: a guarded ramp of staging, started by hand
 * (a ramp to collapse is a deliberate act against a shared environment, never a side effect of a
 * push), whose reports are kept as artifacts and whose exit code decides the job.
 */
export function workflowTemplate({ name, target, pm }: WorkflowTemplateInput): string {
  const scenario = `scenarios/${name}.ts`;
  return `# Ramp ${target.host} to collapse with overload, safely, and keep the reports.
# Written by \`overload init\`; the scenario is ${scenario}.
#
# Guardrails: only the scenario's allowlisted host can be loaded, the rate never exceeds
# --max-rate, side effects stay within the scenario's budgets, the command stops itself after
# --max-duration, and cancelling the run stops the load at once (the runner sends SIGINT:
# overload drains, writes what it measured, exits 3).
#
# Exit codes of overload ramp:
${rampExitCodes()}

name: overload ${name}

on:
  workflow_dispatch:
    inputs:
      max_rate:
        description: 'Hard rate ceiling in req/s (--max-rate)'
        default: '${INIT_LIMITS.maxRps}'
        required: true
      expect_knee_above:
        description: 'Fail unless the knee is at least this rate in req/s (empty: report only)'
        default: ''
        required: false
  # When staging is quiet, once the first runs have been looked at:
  # schedule:
  #   - cron: '30 3 * * 1-5'

# One load test against staging at a time; a new one never cancels a running one halfway.
concurrency:
  group: overload-staging
  cancel-in-progress: false

permissions:
  contents: read

jobs:
  ramp:
    runs-on: ubuntu-latest
    # A protected environment can require a reviewer's approval before the load starts.
    environment: staging
    # Outer bound in case everything else fails; overload's own --max-duration is shorter.
    timeout-minutes: 30
    env:
      OUT_DIR: overload-results
      MAX_RATE: \${{ inputs.max_rate || '${INIT_LIMITS.maxRps}' }}
      EXPECT_KNEE_ABOVE: \${{ inputs.expect_knee_above }}
    steps:
      - uses: actions/checkout@v4
${setupSteps(pm)}
      - run: ${pm.ciInstall}

      - name: Ramp staging to collapse (guarded)
        id: ramp
        # Go on after a non-zero exit: the reports are uploaded first, the exit code is judged last.
${pm.bin !== pm.exec ? `        # The bin itself: through ${pm.exec.replace(/ overload$/, '')} a cancel would reach this shell as 130, not 3.\n` : ''}        run: |
          set +e
          ${pm.bin} ramp ${scenario} \\
            --max-rate "\${MAX_RATE}" \\
            --max-duration ${INIT_LIMITS.maxDuration} \\
            --kill-file "\${RUNNER_TEMP}/stop-overload" \\
            --out-dir "\${OUT_DIR}" \\
            \${EXPECT_KNEE_ABOVE:+--expect-knee-above "\${EXPECT_KNEE_ABOVE}"}
          echo "exit_code=$?" >> "$GITHUB_OUTPUT"

      - name: Job summary
        if: always()
        run: |
          if [ -f "\${OUT_DIR}/result.json" ]; then
            echo "### overload: $(jq -r '.verdictLine' "\${OUT_DIR}/result.json")" >> "$GITHUB_STEP_SUMMARY"
            echo "Exit code \${{ steps.ramp.outputs.exit_code }}; open report.html from the artifact for the charts." >> "$GITHUB_STEP_SUMMARY"
          fi

      # result.json, report.html (self-contained), junit.xml and the HdrHistogram files.
      - name: Keep the reports
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: overload-${name}-\${{ github.run_id }}
          path: \${{ env.OUT_DIR }}/
          if-no-files-found: warn
          retention-days: 30

      - name: Judge the exit code
        if: always()
        env:
          CODE: \${{ steps.ramp.outputs.exit_code }}
        run: |
          case "\${CODE}" in
            0) echo "passed" ;;
            5) echo "::warning::inconclusive: the runner saturated; the numbers describe the runner, not staging" ;;
            *) echo "::error::overload exited \${CODE} (see the exit codes at the top of this file and report.html)"; exit 1 ;;
          esac
`;
}
