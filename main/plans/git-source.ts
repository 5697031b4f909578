/**
 * A plan source in a git repository: `URL#branch:folder` (branch and folder optional; the remote's
 * default branch and the repository's root otherwise). The system git keeps one checkout per
 * source under the data directory (plan-sources/<hash>/), fetched at each reconcile and reset
 * to the branch's tip, so the plans read are exactly one commit, named in the snapshot.
 *
 * Credentials never go in the URL (it is stored, logged and shown): one with a user or password
 * is refused; git's own credential helpers and SSH keys supply them. git runs with no terminal
 * prompt, so a missing credential fails the reconcile with git's message instead of hanging it.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TesseraError, badInputAt } from '../../shared/errors.js';

const run = promisify(execFile);

export interface GitSource {
  /** As given: the source's identity in the records. */
  source: string;
  url: string;
  branch: string | null;
  /** A folder inside the repository, '' for its root. */
  folder: string;
}

/** Whether a plan source names a git repository rather than a local folder. */
export function isGitSource(source: string): boolean {
  return /^(https?|ssh|git|file):\/\//.test(source) || /^[\w.-]+@[\w.-]+:/.test(source);
}

/** Splits `URL#branch:folder`; refuses URLs that carry credentials. */
export function parseGitSource(source: string): GitSource {
  const hash = source.indexOf('#');
  const url = hash < 0 ? source : source.slice(0, hash);
  const ref = hash < 0 ? '' : source.slice(hash + 1);
  const colon = ref.indexOf(':');
  const branch = (colon < 0 ? ref : ref.slice(0, colon)) || null;
  const folder = colon < 0 ? '' : ref.slice(colon + 1).replace(/^\/+|\/+$/g, '');
  if (/^[a-z]+:\/\/[^/@]*@/i.test(url) && !/^ssh:\/\/[\w.-]+@/i.test(url))
    throw badInputAt('source', 'a plan source URL must not carry credentials: use a git credential helper or an SSH key');
  if (branch !== null && !/^[\w./-]{1,200}$/.test(branch)) throw badInputAt('source', `not a branch name: ${branch}`);
  if (folder.split('/').includes('..')) throw badInputAt('source', 'the folder inside the repository cannot climb out of it');
  return { source, url, branch, folder };
}

async function git(args: string[], cwd?: string): Promise<string> {
  try {
    const { stdout } = await run('git', args, {
      cwd,
      timeout: 120_000,
      maxBuffer: 4 * 1024 * 1024,
      // No prompt for a password nobody can type; no system or user config that could run hooks.
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'echo', GIT_CONFIG_NOSYSTEM: '1' },
    });
    return stdout.trim();
  } catch (error) {
    const e = error as { code?: string; stderr?: string; message: string };
    if (e.code === 'ENOENT') throw new TesseraError('IO_ERROR', 'git is not installed: a git plan source needs the git command');
    // git's first "fatal:" line says what is wrong (no such repository, no such branch, refused
    // credentials); the source is what the operator can change, so it is the field named.
    const lines = (e.stderr ?? e.message).trim().split('\n');
    const said = (lines.find((l) => l.startsWith('fatal:')) ?? lines.at(-1) ?? e.message).replace(/^fatal:\s*/, '');
    throw badInputAt('source', `git ${args[0]} failed: ${said}`, { git: (e.stderr ?? '').slice(0, 2000) });
  }
}

/** Fetches the source's branch into its checkout; returns the folder holding the plans and the commit read. */
export async function checkoutGitSource(dataDir: string, source: GitSource): Promise<{ folder: string; commit: string }> {
  const dir = join(dataDir, 'plan-sources', createHash('sha256').update(source.url).digest('hex').slice(0, 16));
  if (!existsSync(join(dir, '.git'))) {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    await git(['init', '--quiet'], dir);
    await git(['remote', 'add', 'origin', source.url], dir);
  } else {
    await git(['remote', 'set-url', 'origin', source.url], dir);
  }
  // The branch's tip only (depth 1): plans are read at one commit; history is the repository's business.
  await git(['fetch', '--quiet', '--depth', '1', 'origin', source.branch ?? 'HEAD'], dir);
  await git(['checkout', '--quiet', '--force', '--detach', 'FETCH_HEAD'], dir);
  await git(['clean', '--quiet', '-fdx'], dir);
  const commit = await git(['rev-parse', 'HEAD'], dir);
  return { folder: source.folder ? join(dir, source.folder) : dir, commit };
}
