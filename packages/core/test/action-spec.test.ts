import { describe, expect, it } from 'vitest';
import { parseActionFlag, resolveActions, validateActions, validateReleaseProbes } from '../src/action/action.js';
import { validateScenario } from '../src/scenario/scenario.js';

describe('action validation names the field and the fix', () => {
  it('reports every problem of every action, each at its path', () => {
    const issues = validateActions([
      { name: 'pause', at: 'soon', method: 'FETCH', path: 'admin/pause', always: 'yes' },
      { name: 'pause', at: 'step:0', path: '/x', url: 'http://h/x', onFailure: 'retry', tiemoutMs: 5 },
    ]);
    const paths = issues.map((i) => i.path);
    expect(paths).toEqual([
      'actions[0].at',
      'actions[0].method',
      'actions[0].path',
      'actions[0].always',
      'actions[1].name',
      'actions[1].at',
      'actions[1].path',
      'actions[1].onFailure',
      'actions[1].tiemoutMs',
    ]);
    expect(issues.find((i) => i.path === 'actions[1].tiemoutMs')?.message).toContain('did you mean actions[1].timeoutMs?');
    expect(issues.find((i) => i.path === 'actions[1].at')?.message).toContain("use 'step:1' for the first step");
  });

  it('a scenario with actions validates them', () => {
    const issues = validateScenario({ name: 's', requests: [{ name: 'r', path: '/' }], actions: [{ name: 'a', at: 'end' }] });
    expect(issues.map((i) => i.path)).toEqual(['actions[0].path']);
  });

  it('--action: method optional, always and continue after the moment', () => {
    const issues: never[] = [];
    expect(parseActionFlag('resume=/admin/resume@40s,always,continue', issues)).toEqual({
      name: 'resume',
      at: '40s',
      method: 'POST',
      path: '/admin/resume',
      always: true,
      onFailure: 'continue',
    });
    expect(issues).toEqual([]);
  });

  it('release: true, or the probes it releases; a probe the command does not have is refused under its field', () => {
    const issues = validateActions([
      { name: 'a', at: '1s', path: '/a', release: 'yes' },
      { name: 'b', at: '2s', path: '/b', release: { queue: 3, complete: 'done' } },
    ]);
    expect(issues.map((i) => i.path)).toEqual(['actions[0].release', 'actions[1].release.complete', 'actions[1].release.queue']);
    const flagIssues: never[] = [];
    expect(parseActionFlag('resume=/admin/resume@40s,always,release', flagIssues)).toMatchObject({ always: true, release: true });
    const actions = resolveActions(
      [
        { name: 'pause', at: '1s', path: '/p' },
        { name: 'resume', at: '2s', path: '/r', release: { queue: 'render_queue', completed: 'reports_dne' } },
      ],
      'http://127.0.0.1:1',
    );
    expect(actions.map((a) => a.release)).toEqual([false, { queue: 'render_queue', completed: 'reports_dne' }]);
    const refused = validateReleaseProbes(actions, ['render_queue', 'reports_done']);
    expect(refused).toEqual([
      { path: 'actions[1].release.completed', message: expect.stringContaining('"reports_dne" is not a probe of this command') },
    ]);
  });
});
