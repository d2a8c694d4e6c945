import { Job } from 'kubernetes-models/batch/v1';
import { ConfigMap, Pod, Secret, Service } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { runCli } from './support/cli.js';

const MODELS = { Job, ConfigMap, Pod, Secret, Service } as const;

/** Every document, validated against the Kubernetes OpenAPI schemas kubernetes-models is generated from. */
function validated(yamlText: string): Record<string, any>[] {
  return parseAllDocuments(yamlText).map((d) => {
    const object = d.toJSON() as { kind: keyof typeof MODELS };
    const Model = MODELS[object.kind] as unknown as new (data: unknown) => { validate(): void };
    expect(Model, `unexpected kind ${object.kind}`).toBeDefined();
    new Model(object).validate();
    return object;
  });
}

describe('overload k8s: manifests, not a platform', () => {
  it('prints an Indexed Job, a coordinator pod, a headless Service, a token Secret and the scenario in a ConfigMap, all valid Kubernetes objects', async () => {
    const r = await runCli([
      'k8s',
      'test/fixtures/scenarios/feeders.ts',
      '--shards',
      '6',
      '--image',
      'ghcr.io/acme/overload:0.1.0',
      '--max-duration',
      '10m',
      '--target',
      'https://staging.example.com',
      '--command',
      'run',
      '--budget',
      'emails=100',
      '--namespace',
      'load',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const objects = validated(r.stdout);
    expect(objects.map((o) => o.kind)).toEqual(['Secret', 'ConfigMap', 'Service', 'Pod', 'Job']);
    const [secret, configMap, service, pod, job] = objects as [any, any, any, any, any];

    const spec = job.spec;
    expect(spec.completionMode).toBe('Indexed');
    expect(spec.completions).toBe(6);
    expect(spec.parallelism).toBe(6);
    expect(spec.backoffLimitPerIndex).toBe(0);
    expect(spec.podReplacementPolicy).toBe('Failed');
    expect(spec.template.spec.restartPolicy).toBe('Never');
    expect(spec.podFailurePolicy.rules).toEqual([
      { action: 'FailJob', onExitCodes: { containerName: 'shard', operator: 'In', values: [2, 3, 6, 7] } },
    ]);
    // The deadline follows --max-duration (plus the join timeout and a minute), so Kubernetes ends what overload did not.
    expect(spec.activeDeadlineSeconds).toBe(600 + 300 + 60);

    const shard = spec.template.spec.containers[0];
    expect(shard.args.slice(0, 2)).toEqual(['run', '/scenarios/feeders.ts']);
    expect(shard.args).toEqual(
      expect.arrayContaining([
        '--shards',
        '6',
        '--coordinator',
        'http://overload-feeders-coordinator.load.svc:7070',
        '--budget',
        'emails=100',
        '--max-duration',
        '600s',
      ]),
    );
    expect(shard.args).not.toContain('--shard');
    expect(shard.env).toEqual([
      { name: 'OVERLOAD_COORDINATOR_TOKEN', valueFrom: { secretKeyRef: { name: 'overload-feeders-token', key: 'token' } } },
    ]);
    expect(secret.stringData.token).toMatch(/^[0-9a-f]{32}$/);

    // The headless Service selects the coordinator pod, on the port the coordinator listens on.
    expect(service.spec.clusterIP).toBe('None');
    for (const [k, v] of Object.entries(service.spec.selector)) expect(pod.metadata.labels[k]).toBe(v);
    const coordinator = pod.spec.containers.find((c: any) => c.name === 'coordinator');
    expect(coordinator.args).toEqual(
      expect.arrayContaining([
        '--coordinator-port',
        '7070',
        '--coordinator-host',
        '0.0.0.0',
        '--control-token',
        '$(OVERLOAD_COORDINATOR_TOKEN)',
      ]),
    );
    expect(pod.spec.restartPolicy).toBe('Never');

    // The scenario and its data files are in the ConfigMap, mounted back at their relative paths.
    const items = pod.spec.volumes.find((v: any) => v.name === 'scenario').configMap.items;
    expect(items.map((i: any) => i.path).sort()).toEqual(['data/items.json', 'data/users.csv', 'feeders.ts']);
    for (const i of items) expect(configMap.data[i.key]).toBeTypeOf('string');
    expect(configMap.data[items.find((i: any) => i.path === 'feeders.ts').key]).toContain("users: { csv: './data/users.csv' }");
  });

  it('the schemas catch what a cluster would refuse (so the check above can fail)', async () => {
    const r = await runCli([
      'k8s',
      'test/fixtures/scenarios/feeders.ts',
      '--shards',
      '2',
      '--image',
      'img',
      '--max-duration',
      '1m',
      '--target',
      'http://127.0.0.1:9/',
    ]);
    const job = validated(r.stdout).find((o) => o.kind === 'Job')!;
    expect(() => new Job({ ...job, spec: { ...job.spec, completionMode: 'Ordered' } } as any).validate()).toThrow(/completionMode/);
    expect(() => new Job({ ...job, spec: { ...job.spec, backoffLimitPerIndex: 'none' } } as any).validate()).toThrow(
      /backoffLimitPerIndex/,
    );
  });

  it('refuses what cannot work on a cluster, naming the flag (exit 2)', async () => {
    const noDeadline = await runCli([
      'k8s',
      'test/fixtures/scenarios/feeders.ts',
      '--shards',
      '2',
      '--image',
      'img',
      '--target',
      'http://127.0.0.1:9/',
    ]);
    expect(noDeadline.stderr).toContain('--max-duration is required');
    expect(noDeadline.code).toBe(2);
    const bundled = await runCli(['k8s', 'student-reports', '--shards', '2', '--image', 'img', '--max-duration', '1m']);
    expect(bundled.stderr).toContain('bundled with overload');
    expect(bundled.code).toBe(2);
  });
});
