import { fileURLToPath } from 'node:url';

export interface BundledScenario {
  /** The name `overload ramp <name>` accepts. */
  readonly name: string;
  /** The compiled scenario module (default export), loaded natively: no TypeScript loader needed. */
  readonly file: string;
}

/**
 * The scenarios that ship with overload. Listed by name rather than read from the folder, so the
 * simulated service's modules beside them (student-reports/*.js) can never pass for scenarios,
 * and the CLI finds them through this package wherever a package manager put it.
 */
export const BUNDLED_SCENARIOS: readonly BundledScenario[] = ['student-reports', 'student-reports-pinch'].map((name) => ({
  name,
  file: fileURLToPath(new URL(`./${name}.js`, import.meta.url)),
}));
