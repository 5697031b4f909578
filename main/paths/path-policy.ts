/**
 * Data roots: the folders outside which no contract request may read or write.
 *
 * Harmless on loopback for the desktop user, a path in a request is a capability once the headless
 * host listens beyond loopback (`serve --host`): any token holder could read, fetch (`/vsicurl/…`)
 * and write as the server's user. So whenever the host is exposed, or the user has listed data
 * roots in Settings, every path a request names must resolve inside a root (the data directory is
 * always one), and GDAL virtual paths (/vsi…, DRIVER:…) are refused unless Settings allow them.
 *
 * A path is checked as the operating system will see it: the real path of its nearest existing
 * ancestor (a symlink inside a root that points outside it does not escape) plus the rest.
 *
 * Which params are paths each kind's contract says (shared/kinds/).
 */
import { realpath } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { type KindedParams, type PathUse, type Settings, pathsOf } from '../../shared/contract.js';
import { TesseraError } from '../../shared/errors.js';
import { isInside } from '../disk/disk-guard.js';
import { isGdalVirtualPath } from './output-path.js';

export type { PathUse };

export interface PathPolicy {
  /** False: the desktop case on loopback without roots, where every path the user can reach is fine. */
  enforced: boolean;
  /** Absolute folders, the data directory first. */
  roots: readonly string[];
  allowGdalVirtualPaths: boolean;
}

/** The policy for these settings: enforced when the host is exposed beyond loopback or roots are listed. */
export function pathPolicy(settings: Pick<Settings, 'dataRoots' | 'allowGdalVirtualPaths'>, dataDir: string, exposed: boolean): PathPolicy {
  const listed = settings.dataRoots ?? [];
  const roots = [resolve(dataDir), ...listed.map((r) => resolve(r)).filter((r) => r !== resolve(dataDir))];
  return { enforced: exposed || listed.length > 0, roots, allowGdalVirtualPaths: settings.allowGdalVirtualPaths ?? false };
}

/** The paths a job's params name, read or written (each kind's contract says which params are paths). */
export function jobPaths(job: KindedParams): PathUse[] {
  return pathsOf(job);
}

/**
 * Throws BAD_INPUT naming each field whose path is outside the roots (or a GDAL virtual path that
 * is not allowed); does nothing when the policy is not enforced.
 */
export async function assertPathsAllowed(uses: readonly Pick<PathUse, 'field' | 'path'>[], policy: PathPolicy): Promise<void> {
  if (!policy.enforced || uses.length === 0) return;
  const roots = await Promise.all(policy.roots.map((r) => resolveReal(r)));
  const issues: { field: string; message: string }[] = [];
  for (const use of uses) {
    if (isGdalVirtualPath(use.path)) {
      if (!policy.allowGdalVirtualPaths)
        issues.push({
          field: use.field,
          message: `${use.path} is a GDAL virtual path or connection, which this Tessera does not open for requests; allow them in Settings › GDAL virtual paths`,
        });
      continue;
    }
    const real = await resolveReal(resolve(use.path));
    if (!roots.some((root) => isInside(root, real))) {
      issues.push({ field: use.field, message: `${use.path} is outside the data roots (${policy.roots.join(', ')}); add its folder to Settings › Data roots` });
    }
  }
  if (issues.length > 0) {
    throw new TesseraError('BAD_INPUT', issues.map((i) => `${i.field}: ${i.message}`).join('; '), { details: { issues } });
  }
}

/** The real path of the nearest existing ancestor of `path`, joined with the part that does not exist yet. */
async function resolveReal(path: string): Promise<string> {
  const rest: string[] = [];
  let current = path;
  for (;;) {
    try {
      return join(await realpath(current), ...rest);
    } catch {
      const parent = dirname(current);
      if (parent === current) return path;
      rest.unshift(basename(current));
      current = parent;
    }
  }
}
