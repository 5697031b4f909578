/**
 * Plan sources named in the settings (issue 17: "a setting" besides `tessera serve --plans`): each
 * is checked when it is saved, so a typo is refused at Settings › Save naming its line, not
 * discovered later as a failing health check.
 */
import { stat } from 'node:fs/promises';
import type { PathUse } from '../../shared/contract.js';
import { TesseraError, badInputAt } from '../../shared/errors.js';
import { isGitSource, parseGitSource } from './git-source.js';

/**
 * Refuses a settings' plan source that cannot be one: a git URL with credentials in it, a folder
 * outside the data roots (the engine's path policy), missing, or not a folder. Git sources are not
 * fetched here (a slow remote must not hold up Save): their first reconcile reports on them.
 */
export async function checkPlanSources(sources: readonly string[], assertPaths: (uses: PathUse[]) => Promise<void>): Promise<void> {
  for (const [i, source] of sources.entries()) {
    const field = `planSources.${i}`;
    if (isGitSource(source)) {
      try {
        parseGitSource(source);
      } catch (error) {
        throw error instanceof TesseraError ? badInputAt(field, error.message.replace(/^source: /, '')) : error;
      }
      continue;
    }
    try {
      await assertPaths([{ field, path: source, access: 'read' }]);
    } catch (error) {
      throw error instanceof TesseraError && error.code === 'BAD_INPUT' ? error : badInputAt(field, (error as Error).message);
    }
    const info = await stat(source).catch(() => null);
    if (!info) throw badInputAt(field, `${source} does not exist`);
    if (!info.isDirectory()) throw badInputAt(field, `${source} is not a folder (plan sources are folders of plan files, or git repositories)`);
  }
}

/** The sources kept reconciled: the command line's first, then the settings' not already among them. */
export function effectivePlanSources(commandLine: readonly string[], settings: readonly string[] | undefined): string[] {
  return [...new Set([...commandLine, ...(settings ?? [])])];
}
