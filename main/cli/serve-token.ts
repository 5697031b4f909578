/**
 * `tessera serve --token-file FILE`: a token that outlives the console's launches. The token made
 * at each launch suits a person who opens the printed URL, but not another machine that publishes
 * here (a STAC publish target's `--token-env`): it would fail with 401 after every restart. The
 * file is read when it exists, or made (0600, a fresh random token) when it does not, so an
 * operator can start once, copy the file's line to the other machine, and restart at will.
 */
import { closeSync, constants, openSync, readFileSync, writeSync } from 'node:fs';
import { generateToken } from '../hosts/http-security.js';
import { badInput } from './command-support.js';

/** As short a token as the headless host accepts: shorter ones are guessable. */
export const MIN_TOKEN_LENGTH = 16;

/**
 * The token in `file`, or a new one written there (0600) when the file does not exist. A token
 * shorter than {@link MIN_TOKEN_LENGTH}, or one with characters a header cannot carry, is
 * refused (exit 2) naming the file but never quoting the token.
 */
export function tokenFromFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return createTokenFile(file);
    throw badInput(`--token-file ${file}: cannot be read (${code ?? String(error)})`);
  }
  const token = text.trim();
  if (token.length < MIN_TOKEN_LENGTH) throw badInput(`--token-file ${file}: the token must be at least ${MIN_TOKEN_LENGTH} characters, not ${token.length}`);
  // Bearer tokens and cookies carry visible ASCII only (RFC 6750's b64token is narrower still).
  if (!/^[\x21-\x7e]+$/.test(token)) throw badInput(`--token-file ${file}: the token may hold visible ASCII characters only (no spaces)`);
  return token;
}

/** Writes a fresh token to a new file, refusing to follow or replace anything made meanwhile (O_EXCL). */
function createTokenFile(file: string): string {
  const token = generateToken();
  let fd: number;
  try {
    fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (error) {
    throw badInput(`--token-file ${file}: cannot be created (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  try {
    writeSync(fd, `${token}\n`);
  } finally {
    closeSync(fd);
  }
  return token;
}
