/**
 * For tests that open the engine on workers/testing/scripted-tasks.js instead of the app's
 * pool-entry: the engine's pool is typed for the app's tasks (WorkerTasks), this views it through
 * the scripted module's map so `run('spin', { ms })` type-checks. A cast, true only for such an engine.
 */
import type { TaskPool } from '../task-pool.js';
import type { ScriptedTasks } from '../../../workers/testing/scripted-tasks.js';
import type { WorkerPool } from '../worker-pool.js';

export function scriptedPool(pool: TaskPool): WorkerPool<ScriptedTasks> {
  return pool as unknown as WorkerPool<ScriptedTasks>;
}
