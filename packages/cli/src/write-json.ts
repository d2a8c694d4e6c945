import { writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { makeFolders } from './results/check-outputs.js';
import { secrets } from './secrets.js';

export async function writeJson(file: string, value: unknown): Promise<void> {
  await makeFolders(dirname(file));
  await writeFile(file, secrets.scrub(`${JSON.stringify(value, null, 2)}\n`));
}
