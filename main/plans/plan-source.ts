/**
 * A folder of plan files, read as a whole: every `*.yaml`, `*.yml` and `*.json` under it (hidden
 * folders and node_modules aside), each parsed on its own, so one bad file costs only its own plan.
 * Two files naming the same plan are both kept out: which one is meant is not for the engine to guess.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { badInputAt } from '../../shared/errors.js';
import type { PlanFileError } from '../../shared/plan-shapes.js';
import { type Plan, parsePlanFile } from './plan-file.js';

/** A plan file larger than this is not a plan (and is not read into memory). */
const MAX_PLAN_BYTES = 1024 * 1024;
/** Folders deeper than this are not walked (a plan repository is shallow; a symlink loop is not). */
const MAX_DEPTH = 8;
/** A folder with more entries than this under it is not a plan folder (say, `/` given by mistake). */
const MAX_ENTRIES = 20_000;

export interface PlanSnapshot {
  source: string;
  /** The commit the plans were read at (git sources). */
  commit?: string;
  plans: Plan[];
  errors: PlanFileError[];
}

async function planFiles(root: string): Promise<string[]> {
  const found: string[] = [];
  let seen = 0;
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH) return;
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (++seen > MAX_ENTRIES)
        throw badInputAt('source', `plan source ${root} holds more than ${MAX_ENTRIES} files and folders: point it at the folder of plan files`);
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path, depth + 1);
      else if (entry.isFile() && /\.(ya?ml|json)$/i.test(entry.name)) found.push(path);
    }
  };
  await walk(root, 0);
  return found.sort();
}

/** Reads every plan in `source` (an absolute folder). A missing or unreadable folder is BAD_INPUT naming it. */
export async function readPlanFolder(source: string): Promise<PlanSnapshot> {
  const info = await stat(source).catch((error: NodeJS.ErrnoException) => {
    throw badInputAt('source', `plan source ${source} cannot be read (${error.code ?? error.message})`);
  });
  if (!info.isDirectory()) throw badInputAt('source', `plan source ${source} is not a folder`);
  const plans: Plan[] = [];
  const errors: PlanFileError[] = [];
  for (const path of await planFiles(source)) {
    const file = relative(source, path).split(sep).join('/');
    const size = (await stat(path)).size;
    if (size > MAX_PLAN_BYTES) {
      errors.push({ file, line: 0, column: 0, field: '', message: `${size} bytes: a plan file is at most ${MAX_PLAN_BYTES} bytes` });
      continue;
    }
    const text = await readFile(path, 'utf8');
    const parsed = parsePlanFile(text, file, dirname(path));
    if ('errors' in parsed) errors.push(...parsed.errors);
    else plans.push(parsed.plan);
  }
  // A name given by two files: neither is applied, each file says where the other is.
  const byName = new Map<string, Plan[]>();
  for (const plan of plans) byName.set(plan.name, [...(byName.get(plan.name) ?? []), plan]);
  const kept: Plan[] = [];
  for (const [name, same] of byName) {
    if (same.length === 1) kept.push(same[0]!);
    else
      for (const plan of same)
        errors.push({
          file: plan.file,
          line: 1,
          column: 1,
          field: 'name',
          message: `plan name "${name}" is also used by ${same
            .filter((p) => p !== plan)
            .map((p) => p.file)
            .join(', ')}`,
        });
  }
  return { source, plans: kept.sort((a, b) => a.name.localeCompare(b.name)), errors };
}
