/**
 * "Save as plan" into a plan source (issue 17, item 7): a plan file written into one of the folders
 * the engine keeps reconciled, so the plan sync picks it up (and starts its job) as it would a file
 * someone committed there. Never over an existing file, never outside the configured folders,
 * never a file that is not a valid plan or whose plan name another file of the folder already uses
 * (the sync would keep both out).
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { badInputAt } from '../../shared/errors.js';
import type { PathUse } from '../../shared/contract.js';
import { isGitSource } from './git-source.js';
import { parsePlanFile } from './plan-file.js';
import { readPlanFolder } from './plan-source.js';

export interface PlanSaveInput {
  source: string;
  fileName: string;
  yaml: string;
}

const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,150}\.ya?ml$/;

export async function savePlan(
  input: PlanSaveInput,
  sources: readonly string[],
  assertPaths: (uses: readonly Pick<PathUse, 'field' | 'path'>[]) => Promise<void>,
): Promise<{ path: string }> {
  if (isGitSource(input.source)) throw badInputAt('source', 'source: a git repository is written by a commit, not here: download or copy the plan instead');
  if (!sources.includes(input.source))
    throw badInputAt('source', `source: ${input.source} is not one of the plan sources kept reconciled (Settings › Plan sources)`);
  if (!FILE_NAME.test(input.fileName)) throw badInputAt('fileName', 'fileName: letters, digits, ".", "_" and "-", ending in .yaml or .yml, no folders');
  await assertPaths([{ field: 'source', path: input.source }]);
  const parsed = parsePlanFile(input.yaml, input.fileName, input.source);
  if ('errors' in parsed) {
    const e = parsed.errors[0]!;
    throw badInputAt('yaml', `yaml: not a valid plan: line ${e.line}${e.field ? `, ${e.field}` : ''}: ${e.message}`);
  }
  const path = join(input.source, input.fileName);
  const exists = () => badInputAt('fileName', `fileName: ${input.fileName} exists in ${input.source}; a plan is never written over a file`);
  if (existsSync(path)) throw exists();
  const taken = (await readPlanFolder(input.source)).plans.find((p) => p.name === parsed.plan.name);
  if (taken) throw badInputAt('yaml', `yaml: ${taken.file} in ${input.source} already holds a plan named ${parsed.plan.name}: rename this one`);
  try {
    // wx: fails if the file exists, even if it appeared a moment ago.
    await writeFile(path, input.yaml, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw badInputAt('fileName', `fileName: ${input.fileName} exists in ${input.source}; a plan is never written over a file`);
    throw error;
  }
  return { path };
}
