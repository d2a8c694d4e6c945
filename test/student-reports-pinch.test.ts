import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type StudentReportsTarget, startStudentReportsTarget } from '@overload/scenarios/student-reports/target';
import { runCli } from './support/cli.js';

async function post(url: string): Promise<number> {
  const res = await fetch(url, { method: 'POST' });
  await res.arrayBuffer();
  return res.status;
}

describe('the real pinch on the Student Reports target', () => {
  let target: StudentReportsTarget | undefined;
  afterEach(async () => {
    await target?.close();
    target = undefined;
  });

  it('paused consumers: generate requests are still accepted (202) and the render queue grows; resume drains it', async () => {
    target = await startStudentReportsTarget();
    expect(await post(`${target.url}/admin/consumers/pause`)).toBe(200);
    for (let i = 0; i < 50; i++) expect(await post(`${target.url}/districts/d1/students/s${i}/reports`)).toBe(202);
    expect(target.snapshot().render.waiting).toBe(50);
    expect(target.snapshot().done).toBe(0);
    expect(await post(`${target.url}/admin/consumers/resume`)).toBe(200);
    while (target.snapshot().done < 50) await new Promise((r) => setTimeout(r, 10));
    expect(target.snapshot().render.waiting).toBe(0);
  });

  it('a scenario with pause and an always resume, stopped by SIGINT while paused: the consumers are running again, exit 3', async () => {
    target = await startStudentReportsTarget();
    const dir = await mkdtemp(join(tmpdir(), 'overload-pinch-'));
    const file = join(dir, 'pinch.mjs');
    await writeFile(
      file,
      `export default {
        name: 'pinch-sigint',
        requests: [{ name: 'generate', method: 'POST', path: '/districts/d1/students/s1/reports', expectStatus: [202] }],
        profile: { kind: 'constant', rateRps: 50, durationMs: '30s' },
        actions: [
          { name: 'pause consumers', at: '0s', method: 'POST', path: '/admin/consumers/pause' },
          { name: 'resume consumers', at: '25s', method: 'POST', path: '/admin/consumers/resume', always: true, release: true },
        ],
      };\n`,
    );
    let pid = 0;
    let sent = false;
    let waitingAtSignal = 0;
    const r = await runCli(['run', file, '--target', target.url, '--workers', '1', '--json', join(dir, 'result.json')], {
      onSpawn: (p) => (pid = p),
      onStderr: (chunk) => {
        if (!sent && /\[\s+2s\]/.test(chunk)) {
          sent = true;
          waitingAtSignal = target!.snapshot().render.waiting;
          process.kill(pid, 'SIGINT');
        }
      },
    });
    expect(sent).toBe(true);
    expect(r.code).toBe(3);
    // The backlog built inside the target while paused, and the resume ran on the way out.
    expect(waitingAtSignal).toBeGreaterThan(50);
    const status = await (await fetch(`${target.url}/admin/consumers`)).json();
    expect(status.consumers).toBe('running');
    const result = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8'));
    expect(result.actions[1]).toMatchObject({ name: 'resume consumers', ok: true, ranAtStop: true, release: true });
  });
});
