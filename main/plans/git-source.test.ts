/**
 * Git plan sources against real repositories made by the test (git init, commits, a branch): the
 * reconcile reads the branch's tip, names the commit, sees a new commit's change, and a URL with
 * credentials is refused before anything runs.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { Engine } from '../engine/engine.js';
import { createLogger } from '../logging/logger.js';
import { hillshadeMbtiles } from '../testing/real-data.js';
import { isGitSource, parseGitSource } from './git-source.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-git-plans-'));
after(() => rmSync(root, { recursive: true, force: true }));

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.org', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.org' },
  }).trim();
}

test('git sources: URL, branch and folder parsed; credentials in the URL refused', () => {
  assert.deepEqual(parseGitSource('https://git.example.org/gis/plans.git#prod:seed/raster'), {
    source: 'https://git.example.org/gis/plans.git#prod:seed/raster',
    url: 'https://git.example.org/gis/plans.git',
    branch: 'prod',
    folder: 'seed/raster',
  });
  assert.deepEqual(parseGitSource('git@example.org:gis/plans.git'), {
    source: 'git@example.org:gis/plans.git',
    url: 'git@example.org:gis/plans.git',
    branch: null,
    folder: '',
  });
  assert.ok(isGitSource('file:///srv/plans.git') && isGitSource('ssh://git@example.org/plans.git') && !isGitSource('/srv/plans'));
  assert.throws(() => parseGitSource('https://alice:s3cret@git.example.org/plans.git'), /must not carry credentials/);
  assert.throws(() => parseGitSource('https://token@git.example.org/plans.git'), /must not carry credentials/);
  assert.throws(() => parseGitSource('file:///srv/plans.git#main:../../etc'), /cannot climb out/);
  assert.doesNotThrow(() => parseGitSource('ssh://git@example.org/plans.git'));
});

test('a plan in a real git repository is reconciled at its branch tip; a new commit is a change', async () => {
  const cache = hillshadeMbtiles(root);
  const repo = join(root, 'plans-repo');
  mkdirSync(join(repo, 'seed'), { recursive: true });
  git(repo, 'init', '--quiet', '--initial-branch', 'main');
  const plan = (maxZoom: number) => `name: check\nkind: verify\nparams:\n  cache: ${JSON.stringify(cache)}\n  maxZoom: ${maxZoom}\n`;
  writeFileSync(join(repo, 'seed', 'check.yaml'), plan(8));
  writeFileSync(join(repo, 'README.md'), 'not a plan\n');
  git(repo, 'add', '.');
  git(repo, 'commit', '--quiet', '-m', 'first plan');
  git(repo, 'checkout', '--quiet', '-b', 'prod');
  const firstCommit = git(repo, 'rev-parse', 'HEAD');
  git(repo, 'checkout', '--quiet', 'main');
  writeFileSync(join(repo, 'seed', 'check.yaml'), plan(10));
  git(repo, 'commit', '--quiet', '-am', 'main moves on');

  const source = `${pathToFileURL(repo).href}#prod:seed`;
  const engine = await Engine.open({ dataDir: join(root, 'data'), host: 'headless', logger: createLogger('silent') });
  try {
    const first = await engine.handlers['plans.apply']({ source });
    assert.equal(first.commit, firstCommit, 'the prod branch, not main');
    assert.deepEqual(
      first.plans.map((p) => [p.name, p.state, p.file]),
      [['check', 'new', 'check.yaml']],
    );
    const job = await engine.waitFor(first.plans[0]!.startedJobId!);
    assert.equal(job.state, 'succeeded');
    assert.equal((job.params as { maxZoom?: number }).maxZoom, 8);

    // A new commit on prod changes the plan: the next reconcile fetches it and says what changed.
    git(repo, 'checkout', '--quiet', 'prod');
    writeFileSync(join(repo, 'seed', 'check.yaml'), plan(9));
    git(repo, 'commit', '--quiet', '-am', 'prod: z9');
    const second = await engine.handlers['plans.check']({ source });
    assert.equal(second.commit, git(repo, 'rev-parse', 'HEAD'));
    assert.deepEqual(second.plans[0]!.changes, ['params.maxZoom: 8 → 9']);

    await assert.rejects(
      async () => engine.handlers['plans.check']({ source: `${pathToFileURL(join(root, 'no-repo')).href}#prod` }),
      (e: { code?: string; message?: string; details?: { issues?: { field: string }[] } }) =>
        e.code === 'BAD_INPUT' &&
        /git fetch failed: .*(does not appear to be a git repository|not found|Could not read)/i.test(e.message ?? '') &&
        e.details?.issues?.[0]?.field === 'source',
    );
  } finally {
    await engine.close();
  }
});
