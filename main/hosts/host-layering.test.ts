/**
 * The layering of the shells, the engine and the CLI (architecture issue, item 2), read from the
 * SOURCE tree:
 *
 * 1. The engine imports no host: nothing main/engine/ reaches through its static imports is under
 *    main/hosts/ or main/electron/.
 * 2. The headless host imports nothing from main/electron/, directly or through what it imports
 *    (the Content-Security-Policy both shells send is in main/hosts/content-security-policy.ts).
 * 3. The engine process (main/engine-process/) imports no host and nothing of Electron: both
 *    hosts start it through a launcher of their own.
 * 4. The CLI reaches the store only through the contract's handlers: nothing in main/cli/ imports
 *    main/store/, main/catalog/ or main/reports/ (the read-only commands use
 *    main/engine/read-only-handlers.ts, the others a running engine's handlers).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { importsOf, sourceFilesUnder } from '../testing/source-imports.js';

/** dist/main/hosts/host-layering.test.js → the repository root. */
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const isTest = (file: string) => /\.test\.tsx?$/.test(file) || file.includes('/testing/');

/** The repo-relative source file a relative specifier of `file` names (`./x.js` → `x.ts`), or null. */
function resolveSource(file: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
  for (const candidate of [target.replace(/\.js$/, '.ts'), target.replace(/\.js$/, '.tsx'), target]) {
    if (existsSync(path.join(REPO, candidate))) return candidate;
  }
  return null;
}

/** Every source file reachable from `roots` through imports (type-only ones and dynamic ones too when asked). */
function reachable(roots: readonly string[], options: { dynamic: boolean }): Map<string, string> {
  const via = new Map<string, string>(roots.map((r) => [r, r]));
  const queue = [...roots];
  while (queue.length) {
    const file = queue.shift()!;
    for (const i of importsOf(readFileSync(path.join(REPO, file), 'utf8'))) {
      if (i.kind === 'dynamic' && !options.dynamic) continue;
      const target = resolveSource(file, i.specifier);
      if (target && !via.has(target)) {
        via.set(target, `${via.get(file)} → ${target}`);
        queue.push(target);
      }
    }
  }
  return via;
}

function offending(via: Map<string, string>, forbidden: (file: string) => boolean): string[] {
  return [...via.entries()].filter(([file]) => forbidden(file)).map(([, chain]) => chain);
}

test('the engine imports no host', () => {
  const engine = sourceFilesUnder(REPO, 'main/engine').filter((f) => !isTest(f));
  assert.ok(engine.includes('main/engine/engine.ts'), `the walk found main/engine/ under ${REPO}`);
  const via = reachable(engine, { dynamic: true });
  assert.deepEqual(
    offending(via, (f) => f.startsWith('main/hosts/') || f.startsWith('main/electron/')),
    [],
  );
});

test('the headless host imports nothing from main/electron/', () => {
  const hosts = sourceFilesUnder(REPO, 'main/hosts').filter((f) => !isTest(f));
  assert.ok(hosts.includes('main/hosts/start-headless.ts') && hosts.includes('main/hosts/content-security-policy.ts'));
  const via = reachable(hosts, { dynamic: true });
  assert.deepEqual(
    offending(via, (f) => f.startsWith('main/electron/')),
    [],
  );
});

test('the engine process and its supervisor import no host and nothing of Electron', () => {
  const files = sourceFilesUnder(REPO, 'main/engine-process').filter((f) => !isTest(f));
  assert.ok(files.includes('main/engine-process/engine-entry.ts') && files.includes('main/engine-process/supervisor.ts'));
  const via = reachable(files, { dynamic: true });
  assert.deepEqual(
    offending(via, (f) => f.startsWith('main/hosts/') || f.startsWith('main/electron/')),
    [],
  );
});

test('the CLI reaches the store only through the contract handlers', () => {
  const cli = sourceFilesUnder(REPO, 'main/cli').filter((f) => !isTest(f));
  assert.ok(cli.includes('main/cli/tessera.ts'));
  const direct = cli.flatMap((file) =>
    importsOf(readFileSync(path.join(REPO, file), 'utf8'))
      .map((i) => resolveSource(file, i.specifier))
      .filter((t): t is string => t !== null && /^main\/(store|catalog|reports)\//.test(t))
      .map((t) => `${file} imports ${t}`),
  );
  assert.deepEqual(direct, []);
  // The host is assembled in main/hosts/, not in the CLI: it names only start-headless, the
  // loopback check of its --host, and the connection file that client mode reads.
  const hostImports = cli.flatMap((file) =>
    importsOf(readFileSync(path.join(REPO, file), 'utf8'))
      .map((i) => resolveSource(file, i.specifier))
      .filter((t): t is string => t?.startsWith('main/hosts/') === true),
  );
  assert.deepEqual([...new Set(hostImports)].sort(), ['main/hosts/connection-file.ts', 'main/hosts/http-security.ts', 'main/hosts/start-headless.ts']);
});

test('the read-only handlers load neither the engine nor what runs jobs', () => {
  const via = reachable(['main/engine/read-only-handlers.ts'], { dynamic: false });
  assert.deepEqual(
    offending(via, (f) => f === 'main/engine/engine.ts' || /^main\/(pool|kinds|gdal|hosts|electron)\//.test(f) || f.startsWith('workers/')),
    [],
  );
});
