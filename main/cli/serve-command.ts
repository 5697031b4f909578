/**
 * `tessera serve [--port N] [--host ADDR] [--allowed-host NAME] [--token-file FILE]`: starts the engine in a process of
 * its own (main/engine-process/: supervised, restarted after a crash), starts the headless console
 * on it, prints its URL once it listens, and runs until SIGINT or SIGTERM, then closes the console
 * and waits for the engine to close. On loopback it leaves its address and token in the data
 * directory's connection file (0600, removed at close) for the `tessera` commands run meanwhile
 * (main/hosts/connection-file.ts); the directory's lock names this process, which outlives an
 * engine process that crashes, so those commands keep asking the console while it restarts.
 */
import { resolve } from 'node:path';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { writeConnectionFile } from '../hosts/connection-file.js';
import { isLoopbackHost } from '../hosts/http-security.js';
import { createLogger } from '../logging/logger.js';
import { isGitSource } from '../plans/git-source.js';
import type { OptionValues } from './command-line.js';
import { EngineSupervisor } from '../engine-process/supervisor.js';
import { nodeLauncher } from '../engine-process/node-launcher.js';
import { EXIT, type Out, QUEUE_ENV, badInput, optionalInt, packageVersion } from './command-support.js';
import { tokenFromEnv } from './stac-command.js';
import { tokenFromFile } from './serve-token.js';

export async function serve(dataDir: string, values: OptionValues, out: Out): Promise<number> {
  // Checked before the engine opens: a bad address or port is the command line's fault (exit 2).
  const port = optionalInt(values.port, '--port') ?? 7340;
  if (port > 65_535) throw badInput(`--port must be between 0 and 65535, not ${port}`);
  const bindHost = values.host ?? '127.0.0.1';
  if (isIP(bindHost) === 0) {
    try {
      await lookup(bindHost);
    } catch {
      throw badInput(`--host ${bindHost} is neither an IP address nor a host name that resolves`);
    }
  }
  // The console's own token, fixed across launches when a file holds it (another machine may publish here with it).
  const tokenFile = values['token-file'] === undefined ? undefined : resolve(values['token-file']);
  const token = tokenFile === undefined ? undefined : tokenFromFile(tokenFile);
  const logger = createLogger();
  // Beyond loopback every path a request names must lie in a data root (engine/path-policy.ts).
  // Plan folders kept reconciled while the console runs (main/plans/plan-sync.ts).
  const planSources = (values.plans ?? []).map((source) => (isGitSource(source) ? source : resolve(source)));
  // A STAC API kept up to date while the console runs (main/stac/stac-publish-service.ts). The
  // engine process reads the token from the same variable: it never goes on a command line.
  if (values['stac-publish'] !== undefined) tokenFromEnv(values);
  if (values['token-env'] !== undefined && values['stac-publish'] === undefined) throw badInput('--token-env goes with --stac-publish URL');
  const stacPublish =
    values['stac-publish'] === undefined
      ? undefined
      : { url: publishUrl(values['stac-publish']), ...(values['token-env'] && { tokenEnv: values['token-env'] }) };
  const version = await packageVersion();
  // A task queue (--queue, checked by tessera.ts) reaches the engine process through its environment:
  // the URL may hold Redis's password, and the engine's options are on its command line (ps shows them).
  const queueEnv = values.queue === undefined ? undefined : QUEUE_ENV;
  const engine = new EngineSupervisor({
    launch: nodeLauncher(queueEnv ? { env: { ...process.env, [queueEnv]: values.queue } } : {}),
    engine: {
      dataDir,
      host: 'headless',
      holder: 'tessera serve',
      version,
      exposed: !isLoopbackHost(bindHost),
      planSources,
      ...(stacPublish && { stacPublish }),
      ...(queueEnv && { queueEnv }),
      ...(values['spill-dir'] !== undefined && { spillDir: resolve(values['spill-dir']) }),
      logLevel: process.env.TESSERA_LOG_LEVEL ? undefined : 'warn',
    },
    logger,
  });
  await engine.start();
  const host = await import('../hosts/start-headless.js')
    .then(({ startHeadless }) => startHeadless(engine, { host: bindHost, port, allowedHosts: values['allowed-host'] ?? [], logger, ...(token && { token }) }))
    .catch(async (error: unknown) => {
      await engine.close();
      throw listenError(error, bindHost, port);
    });
  // Commands run beside this console ask it through the host (client mode). Only when it listens on
  // loopback alone: a console bound beyond it (0.0.0.0 included) is a server whose token is not
  // left in a file, and the commands meet DATA_DIR_LOCKED there as before.
  const removeConnection = isLoopbackHost(bindHost) ? writeConnectionFile(dataDir, host.origin, host.token) : () => {};
  // One line, printed once the host listens: scripts (and the end-to-end tests) read the URL from it.
  // A token from a file is long-lived: it stays in its file, not in the terminal's scrollback or a
  // service manager's journal; the operator opens `URL/?token=<the file's line>` once (the cookie keeps the session).
  if (tokenFile === undefined) {
    out(`Tessera ${version} console: ${host.url}\n(data directory ${dataDir}; Ctrl-C to stop)`, { url: host.url, dataDir, port: host.port });
  } else {
    const url = `${host.origin}/`;
    out(`Tessera ${version} console: ${url} (open ${url}?token=… with the token in ${tokenFile})\n(data directory ${dataDir}; Ctrl-C to stop)`, {
      url,
      tokenFile,
      dataDir,
      port: host.port,
    });
  }
  await new Promise<void>((resolveStop) => {
    const stop = () => resolveStop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  removeConnection();
  await host.close();
  await engine.close();
  return EXIT.succeeded;
}

/** Why the host could not listen, as the user can act on it (exit 2); other errors pass through. */
function listenError(error: unknown, host: string, port: number): unknown {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'EADDRINUSE':
      return badInput(`port ${port} on ${host} is in use by another program; choose another with --port (0 picks a free one)`);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return badInput(`--host ${host} is not an address of this machine`);
    case 'EACCES':
      return badInput(`port ${port} on ${host} needs privileges this process lacks; use a port above 1023`);
    case 'ERR_SOCKET_BAD_PORT':
      return badInput(`--port must be between 0 and 65535, not ${port}`);
    default:
      return error;
  }
}

/** --stac-publish's URL, refused (exit 2) as the contract's stac.publish would refuse it. */
function publishUrl(url: string): string {
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) throw badInput(`--stac-publish ${url.slice(0, 100)}: not an http or https address`);
  const parsed = new URL(url);
  if (parsed.username || parsed.password) throw badInput('--stac-publish: no credentials in the URL; give the token with --token-env VAR');
  return url;
}
