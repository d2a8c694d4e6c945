import { writeFile } from 'node:fs/promises';
import type { ComparableResult, ComparisonReport } from '@overload/core/internal';
import { renderComparisonHtml } from './compare-html.js';
import { renderComparisonJunit } from './compare-junit.js';
import type { RenderedComparison } from './compare-output.js';

/** Where each output of a comparison goes (each optional). */
export interface ComparisonFiles {
  json?: string;
  markdown?: string;
  junit?: string;
  html?: string;
}

/** The files a `--baseline` comparison leaves beside result.json. */
export const COMPARE_FILES = {
  json: 'compare.json',
  markdown: 'compare.md',
  junit: 'compare-junit.xml',
  html: 'compare.html',
} as const;

/** Writes every output asked for; returns the paths written, in the order above. */
export async function writeComparisonFiles(
  files: ComparisonFiles,
  rendered: RenderedComparison,
  report: ComparisonReport,
  results: { baseline: ComparableResult; current: ComparableResult },
  sources: { baseline: string; current: string },
): Promise<string[]> {
  const written: string[] = [];
  const put = async (file: string | undefined, content: () => string) => {
    if (!file) return;
    await writeFile(file, content());
    written.push(file);
  };
  await put(files.json, () => rendered.json);
  await put(files.markdown, () => rendered.markdown);
  await put(files.junit, () => renderComparisonJunit(report, sources, results.current.startedAt ?? new Date().toISOString()));
  await put(files.html, () => renderComparisonHtml(results.baseline, results.current, report, sources));
  return written;
}
