/**
 * `tessera stac export <folder>` and `tessera stac publish <url> [--token-env VAR]`: the STAC
 * catalogue of what the data directory holds, written to a folder or published once to a remote
 * STAC API with the Transactions extension (main/stac/stac-publish.ts). Through a running console
 * when one holds the data directory, like every command.
 */
import { resolve } from 'node:path';
import type { OptionValues } from './command-line.js';
import { EXIT, type Out, UsageError } from './command-support.js';
import { openJobEngine } from './job-engine.js';
import { request } from './request.js';

/** The bearer token named by --token-env (read from the environment, never from the command line). */
export function tokenFromEnv(values: OptionValues, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const name = values['token-env'];
  if (name === undefined) return undefined;
  const token = env[name];
  if (token === undefined || token === '') throw new UsageError(`--token-env ${name}: that environment variable is not set`);
  return token;
}

export async function stacCommand(dataDir: string, rest: string[], values: OptionValues, out: Out): Promise<number> {
  const [sub, target, ...extra] = rest;
  if ((sub !== 'export' && sub !== 'publish') || !target || extra.length) throw new UsageError('tessera stac export <folder> | tessera stac publish <url>');
  const token = sub === 'publish' ? tokenFromEnv(values) : undefined;
  const engine = await openJobEngine(dataDir, 'tessera (cli)');
  try {
    if (sub === 'export') {
      const result = await request(engine.handlers, 'stac.export', { directory: resolve(target) });
      const left = result.skipped.map((s) => `\n  left out: ${s}`).join('');
      out(`STAC catalogue in ${result.directory}: ${result.items} item(s) in ${result.collections} collections (catalog.json)${left}`, result);
      return EXIT.succeeded;
    }
    const result = await request(engine.handlers, 'stac.publish', { url: target, ...(token && { token }) });
    const left = result.skipped.map((s) => `\n  left out: ${s}`).join('');
    out(
      `published to ${result.url}: ${result.collections} collections; items ${result.created} new, ${result.updated} changed, ${result.unchanged} unchanged, ${result.deleted} deleted${left}`,
      result,
    );
    return EXIT.succeeded;
  } finally {
    await engine.close();
  }
}
