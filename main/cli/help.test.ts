/**
 * `tessera <command> --help` and `tessera help <command>` as a user runs them: a child process,
 * exit 0, that command's own options, defaults and examples, never the overview.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { COMMANDS } from './command-specs.js';
import { main } from './tessera.js';

const bin = fileURLToPath(new URL('./bin.js', import.meta.url));
const tessera = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, TESSERA_DATA_DIR: '/nonexistent/tessera-help' } });
const flat = (text: string) => text.replace(/\s+/g, ' ');

/** `main` in this process, its stdout and stderr caught: cheaper than a child for what a child already showed. */
async function inProcess(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const stream = (write: (s: string) => void) => ({ write: (chunk: string) => (write(String(chunk)), true), isTTY: false }) as unknown as NodeJS.WriteStream;
  const code = await main(args, { stdout: stream((s) => (stdout += s)), stderr: stream((s) => (stderr += s)) });
  return { code, stdout, stderr };
}

test("tessera <command> --help prints that command's help, exit 0, for every command; tessera help <command> the same", async () => {
  for (const spec of COMMANDS) {
    const run = tessera(...spec.path, '--help');
    const name = `tessera ${spec.path.join(' ')}`;
    assert.equal(run.status, 0, `${name}: ${run.stderr}`);
    assert.equal(run.stderr, '', name);
    assert.match(run.stdout, new RegExp(`^Usage: ${name}\\b`), name);
    for (const o of spec.options) {
      assert.ok(run.stdout.includes(`--${o.name}`), `${name}: --${o.name}`);
      if (o.default) assert.ok(flat(run.stdout).includes(`default: ${o.default}`), `${name}: --${o.name}'s default`);
    }
    assert.ok(run.stdout.includes(`\n  ${spec.examples[0]}\n`), `${name}: an example`);
    assert.doesNotMatch(run.stdout, /Options for every command|Exit codes:/, `${name}: not the overview`);
    const viaHelp = await inProcess('help', ...spec.path);
    assert.equal(viaHelp.code, 0);
    assert.equal(viaHelp.stdout, run.stdout, `tessera help ${spec.path.join(' ')}`);
  }
});

test("-h anywhere in a command line, arguments and all, is that command's help", () => {
  const run = tessera('preseed', 'raster', 'a.tif', '--zoom', '0-3', '-h');
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^Usage: tessera preseed raster \[options\] <dataset\.\.\.>/);
  assert.match(flat(run.stdout), /--tile-size <256\|512> tile width and height in pixels \(default: 256\)/);
  assert.match(run.stdout, /--bbox -10\.5,51\.2,-5\.4,55\.5/);
});

test('tessera --help and tessera help keep the overview, exit 0; migrate esri is listed like the others', async () => {
  for (const args of [['--help'], ['help'], ['-h']]) {
    const run = args[0] === '--help' ? tessera(...args) : await inProcess(...args);
    assert.equal(run.stderr, '');
    assert.equal('status' in run ? run.status : run.code, 0, args.join(' '));
    assert.match(run.stdout, /^Usage: tessera <command> \[options\]/);
    assert.match(run.stdout, /\n {2}migrate esri <url> -o NAME/);
    assert.doesNotMatch(run.stdout, /\n {2}tessera /, 'no line repeats "tessera"');
  }
  assert.equal((await inProcess()).code, 2, 'no command at all is bad usage');
});

test("bad command lines: exit 2, one line on stderr naming the command's help", async () => {
  const cases: [string[], RegExp][] = [
    [['verify', 'a.mbtiles', '--bogus'], /^tessera: BAD_INPUT: unknown option '--bogus'.* \(see tessera verify --help\)\n$/],
    [['preseed', 'raster', 'a.tif', '--bbox'], /^tessera: BAD_INPUT: option '--bbox <value>' argument missing \(see tessera preseed raster --help\)\n$/],
    [['verify', 'a.mbtiles', '--zoom', '3'], /^tessera: BAD_INPUT: tessera verify takes no --zoom option \(see tessera verify --help\)\n$/],
    [['jobs', 'show', '1', '-o', 'x'], /^tessera: BAD_INPUT: tessera jobs show takes no -o\/--output option \(see tessera jobs show --help\)\n$/],
    [['help', 'frobnicate'], /^tessera: BAD_INPUT: unknown command: frobnicate \(see tessera --help\)\n$/],
  ];
  for (const [args, message] of cases) {
    const run = await inProcess(...args);
    assert.equal(run.code, 2, args.join(' '));
    assert.match(run.stderr, message, args.join(' '));
    assert.equal(run.stdout, '');
  }
});
