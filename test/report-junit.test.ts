/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ramp, type RampResult } from '@overload/workers';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conditionName, renderJunit } from '../packages/cli/dist/report/junit.js';
import { toStored } from '../packages/cli/dist/report/stored-result.js';
import { type ChildServer, startChildServer } from './support/child-server.js';
import { launchChromium } from './support/chromium.js';
import { JENKINS_JUNIT_XSD, JUNIT_XSD, xmllintValidate } from './support/consumers.js';

interface XmlNode {
  readonly tag: string;
  readonly attrs: Record<string, string>;
  readonly children: XmlNode[];
  readonly text: string;
}

/** Parses with Chromium's XML parser (a real, strict one): a malformed file is an error, not a guess. */
async function parseXml(browser: Browser, xml: string): Promise<XmlNode> {
  const page = await browser.newPage();
  try {
    return await page.evaluate((source) => {
      const doc = new DOMParser().parseFromString(source, 'application/xml');
      const error = doc.querySelector('parsererror');
      if (error) throw new Error(`not well-formed XML: ${error.textContent}`);
      const walk = (el: Element): XmlNode => ({
        tag: el.tagName,
        attrs: Object.fromEntries([...el.attributes].map((a) => [a.name, a.value])),
        children: [...el.children].map(walk),
        text: el.textContent ?? '',
      });
      return walk(doc.documentElement);
    }, xml);
  } finally {
    await page.close();
  }
}

/**
 * Validates with xmllint against Jenkins' JUnit schema (pinned from npm) and our stricter CI
 * schema (structure, order, required attributes, types), then checks what no XSD can say: the
 * counts agree with the testcases.
 */
async function checkJunitSchema(xml: string, root: XmlNode): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'overload-junit-'));
  try {
    const file = join(dir, 'junit.xml');
    await writeFile(file, xml);
    for (const xsd of [JENKINS_JUNIT_XSD, JUNIT_XSD]) {
      const checked = xmllintValidate(file, xsd);
      expect(checked.stderr.trim()).toBe(`${file} validates`);
      expect(checked.code).toBe(0);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const totals = { tests: 0, failures: 0, errors: 0 };
  for (const suite of root.children) {
    const cases = suite.children.filter((c) => c.tag === 'testcase');
    const outcome = (tag: string) => cases.filter((c) => c.children.some((k) => k.tag === tag)).length;
    const count = { tests: cases.length, failures: outcome('failure'), errors: outcome('error'), skipped: outcome('skipped') };
    expect(Object.fromEntries(Object.keys(count).map((k) => [k, Number(suite.attrs[k])]))).toEqual(count);
    for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += count[k];
  }
  // The root carries no totals (Jenkins' junit-4.xsd allows no attribute there): its suites do.
  expect(root.attrs).toEqual({});
  expect(totals.tests).toBeGreaterThan(0);
}

describe('JUnit XML of a real ramp', () => {
  let server: ChildServer;
  let browser: Browser;
  let result: RampResult;
  beforeAll(async () => {
    [server, browser] = await Promise.all([startChildServer('capacity', { capacityRps: 300 }), launchChromium()]);
    result = await ramp({
      url: server.url,
      profile: { kind: 'step', startRps: 100, stepRps: 100, stepDurationMs: '2s', maxRps: 700 },
      // p99 needs 1,000 responses per judged window: these steps are too short, so it is skipped.
      slo: 'p90<50ms,p99<2s,errors<1%',
      workers: 1,
      recovery: { cooldownMs: '500ms', withinMs: '4s', windowMs: '2s' },
    });
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('validates against the JUnit schema rules; one testcase per condition per step plus recovery; the breached step fails', async () => {
    expect(result.verdict).toBe('collapsed');
    const xml = renderJunit(toStored(result));
    const root = await parseXml(browser, xml);
    await checkJunitSchema(xml, root);
    const suite = root.children[0]!;
    const cases = suite.children.filter((c) => c.tag === 'testcase');
    expect(cases).toHaveLength(result.steps.reduce((n, s) => n + s.conditions.length, 0) + 1);

    const collapse = result.collapse!.step;
    const classOf = (s: { index: number; label: string }) => `step ${s.index + 1}: ${s.label}`;
    const failed = cases.filter((c) => c.children.some((k) => k.tag === 'failure'));
    // Exactly the collapse signature fails, in the breached step.
    expect(failed.map((c) => [c.attrs.classname, c.attrs.name]).sort()).toEqual(
      result.collapse!.signature.map((c) => [classOf(collapse), conditionName(c)]).sort(),
    );
    for (const f of failed) {
      const failure = f.children.find((k) => k.tag === 'failure')!;
      expect(failure.attrs.type).toBe('breached');
      expect(failure.attrs.message).toMatch(/ (>|<) /);
    }
    for (const s of result.steps.filter((x) => x.verdict === 'held')) {
      const mine = cases.filter((c) => c.attrs.classname === classOf(s));
      expect(mine.map((c) => c.attrs.name)).toEqual(s.conditions.map(conditionName));
      expect(mine.every((c) => !c.children.some((k) => k.tag === 'failure' || k.tag === 'error'))).toBe(true);
    }
    // p99 was not judged on any step: skipped, with the reason.
    const p99 = cases.filter((c) => c.attrs.name === 'p99 <= 2,000 ms');
    expect(p99).toHaveLength(result.steps.length);
    expect(p99.every((c) => c.children[0]?.tag === 'skipped' && /needs 1,000/.test(c.children[0].text))).toBe(true);

    const recovery = cases.find((c) => c.attrs.classname === 'recovery')!;
    expect(recovery.attrs.name).toBe('target recovers after the load is removed');
    const recovered = result.recovery && 'recovered' in result.recovery && result.recovery.recovered;
    expect(recovery.children.some((k) => k.tag === 'failure')).toBe(!recovered);
    expect(Number(suite.attrs.failures)).toBe(result.collapse!.signature.length + (recovered ? 0 : 1));
    expect(suite.children.find((c) => c.tag === 'system-out')!.text).toBe(result.verdictLine);
  });

  it('an inconclusive step is an error (the measurement failed, not the target), and a skipped recovery is skipped', async () => {
    const stored = toStored(result) as RampResult;
    const last = stored.steps[stored.steps.length - 1]!;
    const inconclusive = {
      ...stored,
      verdict: 'inconclusive' as const,
      steps: [
        ...stored.steps.slice(0, -1),
        { ...last, verdict: 'inconclusive' as const, detail: 'generator saturated at 400 req/s (lag p99 23 ms > 5 ms) <&>' },
      ],
      recovery: { skipped: 'the ramp was inconclusive' },
    };
    const xml = renderJunit(inconclusive);
    const root = await parseXml(browser, xml);
    await checkJunitSchema(xml, root);
    const cases = root.children[0]!.children.filter((c) => c.tag === 'testcase');
    const errors = cases.filter((c) => c.children[0]?.tag === 'error');
    expect(errors).toHaveLength(last.conditions.length);
    expect(errors[0]!.children[0]!.attrs).toMatchObject({
      type: 'inconclusive',
      message: 'inconclusive: generator saturated at 400 req/s (lag p99 23 ms > 5 ms) <&>',
    });
    expect(cases.find((c) => c.attrs.classname === 'recovery')!.children[0]).toMatchObject({
      tag: 'skipped',
      text: 'not checked: the ramp was inconclusive',
    });
  });
});
