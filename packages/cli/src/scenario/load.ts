import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type Feeder,
  type FeederRow,
  MAX_GENERATED_ROWS,
  parseCsv,
  type Scenario,
  ValidationError,
  validateScenario,
} from '@overload/core';
import { createJiti } from 'jiti';

/** The scenarios that ship with overload (the repo's `scenarios/` folder). */
export const BUNDLED_SCENARIOS_DIR = fileURLToPath(new URL('../../../../scenarios/', import.meta.url));

const SCENARIO_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];

export interface LoadedScenario {
  readonly scenario: Scenario;
  readonly file: string;
}

/** A name under `./scenarios/` or the bundled scenarios, or a path to a .ts/.js file. */
export function resolveScenarioFile(ref: string, cwd = process.cwd()): string | undefined {
  const looksLikePath = ref.includes('/') || ref.includes('\\') || SCENARIO_EXTENSIONS.includes(extname(ref));
  if (looksLikePath) {
    const file = isAbsolute(ref) ? ref : resolve(cwd, ref);
    return existsSync(file) ? file : undefined;
  }
  for (const dir of [join(cwd, 'scenarios'), BUNDLED_SCENARIOS_DIR]) {
    for (const ext of SCENARIO_EXTENSIONS) {
      const file = join(dir, `${ref}${ext}`);
      if (existsSync(file)) return file;
    }
  }
  return undefined;
}

/** Scenario names available by name (bundled and ./scenarios), with their files. */
export function listScenarioFiles(cwd = process.cwd()): { name: string; file: string }[] {
  const seen = new Map<string, string>();
  for (const dir of [join(cwd, 'scenarios'), BUNDLED_SCENARIOS_DIR]) {
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir)) {
      const ext = extname(entry);
      if (!SCENARIO_EXTENSIONS.includes(ext) || entry.endsWith('.test.ts') || entry.endsWith('.d.ts')) continue;
      const name = basename(entry, ext);
      if (!seen.has(name)) seen.set(name, join(dir, entry));
    }
  }
  return [...seen].map(([name, file]) => ({ name, file })).sort((a, b) => a.name.localeCompare(b.name));
}

const require = createRequire(import.meta.url);

/**
 * Loads a scenario file without a build step (jiti compiles TypeScript on the fly) and validates
 * it, reporting every problem with its path. `@overload/core` resolves to this installation even
 * for a scenario file outside the repo.
 */
export async function loadScenario(ref: string, cwd = process.cwd()): Promise<LoadedScenario> {
  const file = resolveScenarioFile(ref, cwd);
  if (!file) {
    const known = listScenarioFiles(cwd).map((s) => s.name);
    throw new ValidationError(
      'scenario',
      [{ path: 'scenario', message: `"${ref}" is neither a scenario name (${known.join(', ') || 'none found'}) nor a .ts/.js file` }],
      'OVL_INVALID_SCENARIO',
    );
  }
  const jiti = createJiti(import.meta.url, {
    alias: { '@overload/core': require.resolve('@overload/core') },
    moduleCache: false,
    fsCache: false,
  });
  let value: unknown;
  try {
    value = await jiti.import(file, { default: true });
  } catch (error) {
    throw new ValidationError('scenario', [{ path: file, message: `could not be loaded: ${(error as Error).message}` }], 'OVL_INVALID_SCENARIO');
  }
  const issues = validateScenario(value);
  if (issues.length > 0) throw new ValidationError(`scenario ${file}`, issues, 'OVL_INVALID_SCENARIO');
  return { scenario: value as Scenario, file };
}

/**
 * Turns every feeder into rows before the run, so the request mix can cross to worker threads:
 * files are read relative to the scenario, functions are called for the first `rows` indexes.
 */
export async function materializeFeeders(
  feeders: Readonly<Record<string, Feeder>> | undefined,
  scenarioFile: string,
  rows: number,
): Promise<Record<string, FeederRow[]>> {
  const out: Record<string, FeederRow[]> = {};
  for (const [name, feeder] of Object.entries(feeders ?? {})) {
    if (typeof feeder === 'function') {
      const n = Math.max(1, Math.min(rows, MAX_GENERATED_ROWS));
      out[name] = Array.from({ length: n }, (_, i) => feeder(i));
    } else if (Array.isArray(feeder)) {
      out[name] = [...(feeder as FeederRow[])];
    } else {
      const f = feeder as { csv?: string; json?: string };
      const path = resolve(dirname(scenarioFile), (f.csv ?? f.json)!);
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        throw new ValidationError('scenario', [{ path: `feeders.${name}`, message: `cannot read ${path}: ${(error as Error).message}` }], 'OVL_INVALID_SCENARIO');
      }
      const data = f.csv !== undefined ? parseCsv(text) : (JSON.parse(text) as FeederRow[]);
      if (!Array.isArray(data) || data.length === 0) {
        throw new ValidationError('scenario', [{ path: `feeders.${name}`, message: `${path} has no rows` }], 'OVL_INVALID_SCENARIO');
      }
      out[name] = data;
    }
  }
  return out;
}
