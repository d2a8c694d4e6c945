import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { secrets } from './secrets.js';

export async function writeJson(file: string, value: unknown): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, secrets.scrub(`${JSON.stringify(value, null, 2)}\n`));
}
