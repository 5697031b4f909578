/**
 * A plan's name: what its file is called (`<name>.yaml`), what the plan sync records it by and
 * what its jobs are named. One rule for the engine (plans.fromJob, plans.fromInput), the "Save as
 * plan" panel and `tessera plans from-job -o FILE`, so the name inside the file and the file's
 * name are the same word. Pure, no YAML library: the panel edits the text the engine wrote.
 */

/** What the plan schema accepts (plan-file.ts): letters, digits, ".", "_" and "-", up to 100, starting with a letter or digit. */
export const PLAN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
export const PLAN_NAME_RULE = 'a name of letters, digits, ".", "_" and "-" (up to 100), starting with a letter or digit';

/** Any text as a plan name (accents dropped, other characters "-"); '' when nothing is left. */
export function slugPlanName(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+|-+$/g, '')
    .slice(0, 100)
    .replace(/-+$/, '');
}

/** A path's file name without its extension (`/data/out/bm.mbtiles` → `bm`; `/tiles/z/` → `z`). */
export function pathStem(path: string): string {
  const base =
    path
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop() ?? '';
  return base.replace(/\.[^.]+$/, '');
}

/** YAML reads `2024`, `1e3`, `true`, `null`, `.5`, `yes`… as other things than text: such a name is quoted. */
function yamlScalar(name: string): string {
  const plain = /^[A-Za-z_][A-Za-z0-9._-]*$/.test(name) && !/^(true|false|null|yes|no|on|off|y|n|nan|inf)$/i.test(name);
  return plain ? name : JSON.stringify(name);
}

/**
 * The plan text with its top-level `name:` set to `name` (checked by the caller against PLAN_NAME);
 * the text as it was when it has no such line.
 */
export function renamePlan(yaml: string, name: string): string {
  return yaml.replace(/^name:.*$/m, () => `name: ${yamlScalar(name)}`);
}
