/**
 * The README's `tessera` command section tells the reader where the commands work: `npx tessera`
 * runs this project's CLI only inside the repository; elsewhere npx fetches an unrelated npm
 * package of that name. The test holds the README to that and checks both ways of running it
 * that it gives.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** dist/main/readme-commands.test.js → the repository root. */
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

function commandSection(): string {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const start = readme.indexOf('## The `tessera` command');
  assert.ok(start >= 0, 'the README has a section on the tessera command');
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

test('the README says the commands run from the repository, and what to do elsewhere', () => {
  const section = commandSection();
  // Joined into one line: the README wraps its prose anywhere.
  const intro = section.slice(0, section.indexOf('```')).replace(/\s+/g, ' ');
  assert.match(intro, /from the repository's folder/, 'before the first command, the reader learns where they work');
  assert.match(intro, /[Oo]utside the repository `npx tessera` is not Tessera/);
  assert.match(intro, /node \/path\/to\/tessera\/dist\/main\/cli\/bin\.js/, 'an alternative that works from anywhere');
});

test('inside the repository npx tessera is this project; by its path the build runs from any folder', async () => {
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string; bin: Record<string, string> };
  assert.equal(pkg.bin.tessera, 'dist/main/cli/bin.js', 'the path the README gives is the package bin');
  // npx runs the project's bin as a program: without the execute bit (tsc writes 0644) it fails with
  // "Permission denied"; the build (build:node) sets it.
  assert.ok((statSync(join(REPO, pkg.bin.tessera)).mode & 0o111) !== 0, `${pkg.bin.tessera} is executable (npm run build:node sets it)`);
  const inside = await run('npx', ['--no-install', 'tessera', '--version'], { cwd: REPO });
  assert.equal(inside.stdout.trim(), pkg.version);
  const elsewhere = mkdtempSync(join(tmpdir(), 'tessera-readme-'));
  try {
    const byPath = await run(process.execPath, [join(REPO, pkg.bin.tessera), '--version'], { cwd: elsewhere });
    assert.equal(byPath.stdout.trim(), pkg.version);
  } finally {
    rmSync(elsewhere, { recursive: true, force: true });
  }
});
