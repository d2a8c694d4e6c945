/**
 * Kubernetes objects for a sharded run: the types come from kubernetes-models (a dev dependency,
 * imported for types only, so nothing of it ships at run time). The OpenAPI schemas Kubernetes
 * publishes accept unknown fields, so a misspelt field would pass a schema check and be dropped
 * silently by the API server; typing every object here makes the build fail on it instead. The
 * tests validate the printed YAML against the same package's schemas (types, enums, required).
 */
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IPod } from 'kubernetes-models/v1/Pod';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IVolume } from 'kubernetes-models/v1/Volume';

export interface ManifestOptions {
  /** Prefix of every object's name (a DNS label). */
  readonly name: string;
  readonly namespace: string;
  readonly image: string;
  readonly shards: number;
  readonly command: 'run' | 'ramp';
  /** The scenario's file name inside the ConfigMap, and every file it needs, by relative path. */
  readonly scenarioFile: string;
  readonly files: Readonly<Record<string, string>>;
  /** Flags passed to the coordinator and every shard alike (target, profile, guardrails). */
  readonly args: readonly string[];
  readonly maxDurationMs: number;
  readonly joinTimeoutMs: number;
  readonly port: number;
  readonly token: string;
  readonly cpu: string;
  readonly memory: string;
}

/**
 * Exit codes on which one shard fails the whole Job (podFailurePolicy FailJob), so Kubernetes
 * stops every other shard at once: 2 bad usage (every shard would fail alike), 3 a guardrail or
 * kill switch (guardrails stay global), 6 the target unreachable, 7 a shard missing (the run is
 * incomplete; there is no point loading on).
 */
export const FAIL_JOB_EXIT_CODES = [2, 3, 6, 7] as const;

/** How long the coordinator pod stays up after the run, so its results can be copied out. */
export const RESULTS_HOLD_S = 3600;

/** The coordinator's control endpoint (GET /status, POST /stop) inside its pod. */
export const CONTROL_PORT = 9090;

const SCENARIO_DIR = '/scenarios';
const RESULTS_DIR = '/results';

export function manifests(o: ManifestOptions): (ISecret | IConfigMap | IService | IPod | IJob)[] {
  const labels = (role: string) => ({
    'app.kubernetes.io/name': 'overload',
    'app.kubernetes.io/instance': o.name,
    'app.kubernetes.io/component': role,
  });
  const meta = (suffix: string, role: string) => ({ name: `${o.name}-${suffix}`, namespace: o.namespace, labels: labels(role) });
  // ConfigMap keys cannot hold "/": files are stored under flat keys and mounted back at their paths.
  const entries = Object.entries(o.files).map(([path, content], i) => ({
    key: `f${i}-${path.replace(/[^-._a-zA-Z0-9]/g, '_')}`.slice(0, 253),
    path,
    content,
  }));
  const volumes: IVolume[] = [
    { name: 'scenario', configMap: { name: `${o.name}-scenario`, items: entries.map((e) => ({ key: e.key, path: e.path })) } },
    { name: 'results', emptyDir: {} },
  ];
  const mounts = [
    { name: 'scenario', mountPath: SCENARIO_DIR, readOnly: true },
    { name: 'results', mountPath: RESULTS_DIR },
  ];
  const tokenEnv = { name: 'OVERLOAD_COORDINATOR_TOKEN', valueFrom: { secretKeyRef: { name: `${o.name}-token`, key: 'token' } } };
  const resources = { requests: { cpu: o.cpu, memory: o.memory }, limits: { memory: o.memory } };
  const scenario = `${SCENARIO_DIR}/${o.scenarioFile}`;
  const maxDuration = `${Math.ceil(o.maxDurationMs / 1000)}s`;
  const common = [o.command, scenario, ...o.args, '--max-duration', maxDuration, '--shards', String(o.shards), '--out-dir', RESULTS_DIR];
  const coordinatorUrl = `http://${o.name}-coordinator.${o.namespace}.svc:${o.port}`;
  const coordinator: IContainer = {
    name: 'coordinator',
    image: o.image,
    // The control endpoint listens on the pod's 127.0.0.1 (kubectl port-forward reaches it), with
    // the same token as the shards; Kubernetes expands $(VAR) in args from the container's env.
    args: [
      ...common,
      '--coordinator-port',
      String(o.port),
      '--coordinator-host',
      '0.0.0.0',
      '--join-timeout',
      `${Math.ceil(o.joinTimeoutMs / 1000)}s`,
      '--control-port',
      String(CONTROL_PORT),
      '--control-token',
      '$(OVERLOAD_COORDINATOR_TOKEN)',
    ],
    env: [tokenEnv],
    ports: [{ name: 'coordinator', containerPort: o.port }],
    volumeMounts: mounts,
    resources,
  };
  // Keeps the pod (and /results) up after the coordinator exits, for `kubectl cp`.
  const holder: IContainer = {
    name: 'results',
    image: o.image,
    command: ['node', '-e', `setTimeout(() => {}, ${RESULTS_HOLD_S * 1000})`],
    volumeMounts: [{ name: 'results', mountPath: RESULTS_DIR }],
    resources: { requests: { cpu: '10m', memory: '32Mi' } },
  };
  const shard: IContainer = {
    name: 'shard',
    image: o.image,
    args: [...common, '--coordinator', coordinatorUrl, '--join-timeout', `${Math.ceil(o.joinTimeoutMs / 1000)}s`],
    env: [tokenEnv],
    volumeMounts: mounts,
    resources,
  };
  const deadlineS = Math.ceil((o.maxDurationMs + o.joinTimeoutMs) / 1000) + 60;
  return [
    { apiVersion: 'v1', kind: 'Secret', metadata: meta('token', 'token'), type: 'Opaque', stringData: { token: o.token } },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta('scenario', 'scenario'),
      data: Object.fromEntries(entries.map((e) => [e.key, e.content])),
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('coordinator', 'coordinator'),
      // Headless: the name resolves straight to the coordinator pod's IP.
      spec: { clusterIP: 'None', selector: labels('coordinator'), ports: [{ name: 'coordinator', port: o.port, targetPort: o.port }] },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: meta('coordinator', 'coordinator'),
      spec: { restartPolicy: 'Never', activeDeadlineSeconds: deadlineS + RESULTS_HOLD_S, containers: [coordinator, holder], volumes },
    },
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: meta('shards', 'shard'),
      spec: {
        completionMode: 'Indexed',
        completions: o.shards,
        parallelism: o.shards,
        // An index is never run twice: a replaced shard would rejoin a run already under way.
        backoffLimitPerIndex: 0,
        podReplacementPolicy: 'Failed',
        activeDeadlineSeconds: deadlineS,
        podFailurePolicy: {
          rules: [{ action: 'FailJob', onExitCodes: { containerName: 'shard', operator: 'In', values: [...FAIL_JOB_EXIT_CODES] } }],
        },
        template: {
          metadata: { labels: labels('shard') },
          spec: { restartPolicy: 'Never', containers: [shard], volumes },
        },
      },
    },
  ];
}
