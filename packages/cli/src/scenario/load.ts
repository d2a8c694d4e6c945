import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  type Feeder,
  type FeederRow,
  MAX_GENERATED_ROWS,
  parseCsvFeeder,
  parseJsonFeeder,
  type Scenario,
  ValidationError,
  validateScenario,
} from '@overload/core/internal';
import { BUNDLED_SCENARIOS } from '@overload/scenarios';

const SCENARIO_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];

export interface LoadedScenario {
  readonly scenario: Scenario;
  readonly file: string;
}

/**
 * A name under `./scenarios/` (the user's own, which win over a bundled one of the same name) or
 * a scenario bundled with overload (found through the @overload/scenarios package, wherever it
 * was installed), or a path to a .ts/.js file.
 */
export function resolveScenarioFile(ref: string, cwd = process.cwd()): string | undefined {
  const looksLikePath = ref.includes('/') || ref.includes('\\') || SCENARIO_EXTENSIONS.includes(extname(ref));
  if (looksLikePath) {
    const file = isAbsolute(ref) ? ref : resolve(cwd, ref);
    return existsSync(file) ? file : undefined;
  }
  for (const ext of SCENARIO_EXTENSIONS) {
    const file = join(cwd, 'scenarios', `${ref}${ext}`);
    if (existsSync(file)) return file;
  }
  return BUNDLED_SCENARIOS.find((s) => s.name === ref)?.file;
}

/** Scenario names available by name (./scenarios, then the bundled ones), with their files. */
export function listScenarioFiles(cwd = process.cwd()): { name: string; file: string }[] {
  const seen = new Map<string, string>();
  const own = join(cwd, 'scenarios');
  if (existsSync(own)) {
    for (const entry of readdirSync(own)) {
      const ext = extname(entry);
      if (!SCENARIO_EXTENSIONS.includes(ext) || entry.endsWith('.test.ts') || entry.endsWith('.d.ts')) continue;
      const name = basename(entry, ext);
      if (!seen.has(name)) seen.set(name, join(own, entry));
    }
  }
  for (const { name, file } of BUNDLED_SCENARIOS) if (!seen.has(name)) seen.set(name, file);
  return [...seen].map(([name, file]) => ({ name, file })).sort((a, b) => a.name.localeCompare(b.name));
}

const require = createRequire(import.meta.url);

/**
 * Loads a scenario file and validates it, reporting every problem with its path. The bundled
 * scenarios ship compiled and are imported natively. A user's file is loaded without a build
 * step (jiti compiles TypeScript on the fly), with `@overload/core` resolving to this
 * installation, so a scenario outside the repo works even where the package manager does not
 * hoist core next to it (pnpm).
 */
export async function loadScenario(ref: string, cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): Promise<LoadedScenario> {
  const file = resolveScenarioFile(ref, cwd);
  if (!file) {
    const known = listScenarioFiles(cwd).map((s) => s.name);
    throw new ValidationError(
      'scenario',
      [{ path: 'scenario', message: `"${ref}" is neither a scenario name (${known.join(', ') || 'none found'}) nor a .ts/.js file` }],
      'OVL_INVALID_SCENARIO',
    );
  }
  let value: unknown;
  try {
    value = BUNDLED_SCENARIOS.some((s) => s.file === file)
      ? ((await import(pathToFileURL(file).href)) as { default: unknown }).default
      : await importWithJiti(file);
  } catch (error) {
    throw new ValidationError(
      'scenario',
      [{ path: file, message: `could not be loaded: ${(error as Error).message}` }],
      'OVL_INVALID_SCENARIO',
    );
  }
  if (value instanceof NoDefaultExport) {
    const names = Object.keys((value.namespace as object | null) ?? {});
    throw new ValidationError(
      `scenario ${file}`,
      [
        {
          path: 'export default',
          message: `is missing: the file must end with \`export default { name, requests, … }\`${names.length > 0 ? ` (it exports only ${names.join(', ')})` : ''}`,
        },
      ],
      'OVL_INVALID_SCENARIO',
    );
  }
  const issues = validateScenario(value, { env });
  if (issues.length > 0) throw new ValidationError(`scenario ${file}`, issues, 'OVL_INVALID_SCENARIO');
  return { scenario: value as Scenario, file };
}

async function importWithJiti(file: string): Promise<unknown> {
  // Imported on first use: commands on bundled scenarios or URLs never pay for the compiler.
  const { createJiti } = await import('jiti');
  const jiti = createJiti(import.meta.url, {
    alias: { '@overload/core': require.resolve('@overload/core') },
    moduleCache: false,
    fsCache: false,
  });
  const namespace = (await jiti.import(file)) as Record<string, unknown> | null;
  return typeof namespace === 'object' && namespace !== null && 'default' in namespace ? namespace.default : new NoDefaultExport(namespace);
}

/** A module that exports a scenario under another name, or nothing: said so, not "name must be a string". */
class NoDefaultExport {
  constructor(readonly namespace: unknown) {}
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
      const generated: FeederRow[] = [];
      for (let i = 0; i < n; i++) {
        let row: unknown;
        try {
          row = feeder(i);
        } catch (error) {
          throw new ValidationError(
            'scenario',
            [{ path: `feeders.${name}`, message: `threw for index ${i}: ${(error as Error)?.message ?? String(error)}` }],
            'OVL_INVALID_SCENARIO',
          );
        }
        if (typeof row !== 'object' || row === null || Array.isArray(row)) {
          throw new ValidationError(
            'scenario',
            [
              {
                path: `feeders.${name}`,
                message: `must return an object of field → value (for index ${i} it returned ${row === null ? 'null' : Array.isArray(row) ? 'an array' : typeof row})`,
              },
            ],
            'OVL_INVALID_SCENARIO',
          );
        }
        generated.push(row as FeederRow);
      }
      out[name] = generated;
    } else if (Array.isArray(feeder)) {
      out[name] = [...(feeder as FeederRow[])];
    } else {
      const f = feeder as { csv?: string; json?: string };
      const path = resolve(dirname(scenarioFile), (f.csv ?? f.json)!);
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        throw new ValidationError(
          'scenario',
          [{ path: `feeders.${name}`, message: `cannot read ${path}: ${(error as Error).message}` }],
          'OVL_INVALID_SCENARIO',
        );
      }
      const parsed = f.csv !== undefined ? parseCsvFeeder(text) : parseJsonFeeder(text);
      if (!('rows' in parsed)) {
        throw new ValidationError(
          'scenario',
          [{ path: `feeders.${name}`, message: `${path}:${parsed.line}: ${parsed.problem}` }],
          'OVL_INVALID_SCENARIO',
        );
      }
      out[name] = parsed.rows;
    }
  }
  return out;
}
