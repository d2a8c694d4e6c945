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

/** The artifact that carries the last passing result from one run of the workflow to the next. */
export function baselineArtifactName(name: string): string {
  return `overload-${name}-baseline`;
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
    EXIT.regressed,
    EXIT.cannotTell,
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
 * push), whose reports are kept as artifacts and whose exit code decides the job. Each run is
 * compared with the last one that passed (`--baseline`): a result that exits 0 is kept as an
 * artifact of its own, and the next run downloads the newest such artifact with the GitHub CLI
 * (preinstalled on GitHub's runners), so a capacity regression fails the job (exit 8).
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
# Each run is compared with the last one that passed (exit 0), kept as the artifact
# ${baselineArtifactName(name)}: a regression fails the job. After changing the scenario's profile or
# SLO (which a baseline must share, or the ramp refuses it with exit 2), run once with baseline: none
# to start a new series.
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
      baseline:
        description: 'last: compare with the last passing run; none: start a new series (after changing the profile or SLO)'
        default: 'last'
        required: true
  # When staging is quiet, once the first runs have been looked at:
  # schedule:
  #   - cron: '30 3 * * 1-5'

# One load test against staging at a time; a new one never cancels a running one halfway.
concurrency:
  group: overload-staging
  cancel-in-progress: false

permissions:
  contents: read
  # To find and download the last passing result, an artifact of an earlier run.
  actions: read

jobs:
  ramp:
    runs-on: ubuntu-latest
    # A protected environment can require a reviewer's approval before the load starts.
    environment: staging
    # Outer bound in case everything else fails; overload's own --max-duration is shorter.
    timeout-minutes: 30
    env:
      OUT_DIR: overload-results
      BASELINE_DIR: overload-baseline
      BASELINE_ARTIFACT: ${baselineArtifactName(name)}
      MAX_RATE: \${{ inputs.max_rate || '${INIT_LIMITS.maxRps}' }}
      EXPECT_KNEE_ABOVE: \${{ inputs.expect_knee_above }}
      BASELINE_MODE: \${{ inputs.baseline || 'last' }}
    steps:
      - uses: actions/checkout@v4
${setupSteps(pm)}
      - run: ${pm.ciInstall}

      # The newest unexpired artifact of that name, from any earlier run of this workflow.
      - name: Fetch the last passing result (the baseline)
        env:
          GH_TOKEN: \${{ github.token }}
        run: |
          if [ "\${BASELINE_MODE}" = "none" ]; then echo "baseline: none, this run starts a new series"; exit 0; fi
          run_id=$(gh api "repos/\${GITHUB_REPOSITORY}/actions/artifacts?name=\${BASELINE_ARTIFACT}&per_page=100" \\
            --jq '[.artifacts[] | select(.expired | not)] | sort_by(.created_at) | last | .workflow_run.id // empty')
          if [ -z "\${run_id}" ]; then echo "no passing result yet: this run starts the series"; exit 0; fi
          gh run download "\${run_id}" --repo "\${GITHUB_REPOSITORY}" --name "\${BASELINE_ARTIFACT}" --dir "\${BASELINE_DIR}"
          echo "comparing with the result of run \${run_id}"

      - name: Ramp staging to collapse (guarded)
        id: ramp
        # Go on after a non-zero exit: the reports are uploaded first, the exit code is judged last.
${pm.bin !== pm.exec ? `        # The bin itself: through ${pm.exec.replace(/ overload$/, '')} a cancel would reach this shell as 130, not 3.\n` : ''}        run: |
          set +e
          if [ -f "\${BASELINE_DIR}/result.json" ]; then set -- --baseline "\${BASELINE_DIR}"; fi
          ${pm.bin} ramp ${scenario} \\
            --max-rate "\${MAX_RATE}" \\
            --max-duration ${INIT_LIMITS.maxDuration} \\
            --kill-file "\${RUNNER_TEMP}/stop-overload" \\
            --out-dir "\${OUT_DIR}" \\
            \${EXPECT_KNEE_ABOVE:+--expect-knee-above "\${EXPECT_KNEE_ABOVE}"} \\
            "$@"
          echo "exit_code=$?" >> "$GITHUB_OUTPUT"

      - name: Job summary
        if: always()
        run: |
          if [ -f "\${OUT_DIR}/result.json" ]; then
            echo "### overload: $(jq -r '.verdictLine' "\${OUT_DIR}/result.json")" >> "$GITHUB_STEP_SUMMARY"
            echo "Exit code \${{ steps.ramp.outputs.exit_code }}; open report.html from the artifact for the charts." >> "$GITHUB_STEP_SUMMARY"
          fi
          if [ -f "\${OUT_DIR}/compare.md" ]; then
            echo "#### Against the last passing run" >> "$GITHUB_STEP_SUMMARY"
            cat "\${OUT_DIR}/compare.md" >> "$GITHUB_STEP_SUMMARY"
          fi

      # result.json, report.html (self-contained), junit.xml and the HdrHistogram files; with a
      # baseline, compare.md, compare.json, compare-junit.xml and compare.html too.
      - name: Keep the reports
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: overload-${name}-\${{ github.run_id }}
          path: \${{ env.OUT_DIR }}/
          if-no-files-found: warn
          retention-days: 30

      # Only a run that passed becomes the next run's baseline.
      - name: Keep this result as the next baseline
        if: steps.ramp.outputs.exit_code == '0'
        uses: actions/upload-artifact@v4
        with:
          name: \${{ env.BASELINE_ARTIFACT }}
          path: \${{ env.OUT_DIR }}/result.json
          if-no-files-found: error
          retention-days: 90

      - name: Judge the exit code
        if: always()
        env:
          CODE: \${{ steps.ramp.outputs.exit_code }}
        run: |
          case "\${CODE}" in
            0) echo "passed" ;;
            5) echo "::warning::inconclusive: the runner saturated; the numbers describe the runner, not staging" ;;
            8) echo "::error::regressed against the last passing run (see the job summary and compare.html)"; exit 1 ;;
            9) echo "::warning::the comparison with the last passing run cannot tell (see the job summary); this run is not kept as a baseline" ;;
            *) echo "::error::overload exited \${CODE} (see the exit codes at the top of this file and report.html)"; exit 1 ;;
          esac
`;
}
