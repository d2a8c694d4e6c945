import { describe, expect, it } from 'vitest';
import { validateScenario } from '../src/internal.js';

const base = { name: 'x', requests: [{ name: 'home', path: '/' }] };

describe('a scenario field no part of overload reads is refused, with the field it was meant to be', () => {
  it('accepts a scenario that uses only known fields, at every level', () => {
    const scenario = {
      ...base,
      journeys: [
        {
          name: 'j',
          steps: [{ name: 's', path: '/a', poll: { until: { status: [200] }, intervalMs: '100ms', maxTries: 3 }, onFailure: 'continue' }],
        },
      ],
      profile: { kind: 'step', startRps: 10, stepRps: 10, stepDurationMs: '5s', maxRps: 50 },
      safety: { maxRps: 100, budgets: { emails: 1 }, errorBurst: { maxErrorRate: 0.5, windowMs: '5s' } },
      recovery: { cooldownMs: '1s', windowMs: '3s' },
      probes: [{ name: 'q', kind: 'prometheus', url: '/metrics', metric: 'queue' }],
    };
    expect(validateScenario(scenario)).toEqual([]);
  });

  it.each([
    [{ safety: { maxRPS: 10 } }, 'safety.maxRPS', 'did you mean safety.maxRps?'],
    [
      { safety: { maxRps: 10, errorBurst: { windowMS: '5s' } } },
      'safety.errorBurst.windowMS',
      'did you mean safety.errorBurst.windowMs?',
    ],
    [{ recovery: { cooldown: '2s' } }, 'recovery.cooldown', 'did you mean recovery.cooldownMs?'],
    [{ profile: { kind: 'constant', rate: 10, durationMs: '1s' } }, 'profile.rate', 'did you mean profile.rateRps?'],
    [
      { journeys: [{ name: 'j', steps: [{ name: 's', path: '/', pol: {} }] }] },
      'journeys[0].steps[0].pol',
      'did you mean journeys[0].steps[0].poll?',
    ],
    [{ probes: [{ name: 'q', kind: 'prometheus', url: '/m', metrc: 'x' }] }, 'probes[0].metrc', 'did you mean probes[0].metric?'],
  ])('%o: names %s and says %s', (extra, path, fix) => {
    const issues = validateScenario({ ...base, ...extra });
    const issue = issues.find((i) => i.path === path);
    expect(issue, JSON.stringify(issues)).toBeDefined();
    expect(issue!.message).toContain(fix);
  });

  it('a field that is close to nothing gets the list of fields instead of a guess', () => {
    const issue = validateScenario({ ...base, actions: [] }).find((i) => i.path === 'actions');
    expect(issue?.message).toMatch(
      /^is not a field of a scenario, and would be ignored: remove it, or use one of the fields of a scenario: name, description/,
    );
  });
});
