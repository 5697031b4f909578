/**
 * Where a job keeps its working files (a vector preseed's partition files). By default
 * DATA_DIR/tmp. Under `--spill-dir` (storage that `tessera worker`s on other machines mount at the
 * same path), a folder of this data directory's own: several engines may share one spill
 * directory, and their job numbers repeat.
 */
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { KindEnvironment } from './job-kind.js';

export function spillRoot(env: Pick<KindEnvironment, 'dataDir' | 'spillDir'>): string {
  if (!env.spillDir) return join(env.dataDir, 'tmp');
  const owner = createHash('sha256').update(resolve(env.dataDir)).digest('hex').slice(0, 12);
  return join(env.spillDir, `tessera-${owner}`);
}
