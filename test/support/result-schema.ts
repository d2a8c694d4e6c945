import { readFile } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';

/**
 * docs/result.schema.json, compiled once by ajv in strict mode: a schema that ajv would only
 * accept leniently (an unknown keyword, a `required` of an undefined property) fails here, and
 * so does every result that writes a field the schema does not describe.
 */
const SCHEMA_FILE = new URL('../../docs/result.schema.json', import.meta.url);

let compiled: ReturnType<InstanceType<typeof Ajv2020>['compile']> | undefined;

async function validator(): Promise<NonNullable<typeof compiled>> {
  compiled ??= new Ajv2020({ strict: true, allErrors: true }).compile(JSON.parse(await readFile(SCHEMA_FILE, 'utf8')));
  return compiled;
}

/** Every way `value` (a parsed result.json) breaks the schema, as `path message`; empty when valid. */
export async function resultSchemaErrors(value: unknown): Promise<string[]> {
  const validate = await validator();
  return validate(value)
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
}

/** Reads a result.json and throws, naming the file and every issue, unless it is valid. */
export async function assertValidResultFile(file: string): Promise<unknown> {
  const value: unknown = JSON.parse(await readFile(file, 'utf8'));
  const errors = await resultSchemaErrors(value);
  if (errors.length > 0) throw new Error(`${file} does not validate against docs/result.schema.json:\n  ${errors.join('\n  ')}`);
  return value;
}
