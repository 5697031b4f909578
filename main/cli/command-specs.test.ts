import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OPTION_NAMES, parseCommandLine } from './command-line.js';
import { COMMANDS, COMMON_OPTIONS, TOP_LEVEL_OPTIONS, commandHelp, findCommand, foreignOption } from './command-specs.js';

const leaves = COMMANDS.filter((c) => !COMMANDS.some((o) => o.path.length > c.path.length && c.path.every((p, i) => o.path[i] === p)));

test('every option the parser knows is described by at least one command, and only those', () => {
  const described = new Set([...COMMON_OPTIONS, ...TOP_LEVEL_OPTIONS, ...COMMANDS.flatMap((c) => c.options)].map((o) => o.name));
  assert.deepEqual([...described].sort(), [...OPTION_NAMES].sort());
});

test("each command's help has its usage, every option with its default, and examples; not the global command list", () => {
  for (const spec of leaves) {
    const help = commandHelp(spec);
    const name = `tessera ${spec.path.join(' ')}`;
    assert.match(help, new RegExp(`^Usage: ${name}(\\|\\w+)? \\[options\\]`), name);
    for (const o of [...spec.options, ...COMMON_OPTIONS]) {
      assert.ok(help.includes(`--${o.name}`), `${name} help names --${o.name}`);
      // Commander wraps long lines: compare with the whitespace folded.
      if (o.default) assert.ok(help.replace(/\s+/g, ' ').includes(`default: ${o.default}`), `${name} --${o.name} default`);
    }
    assert.match(help, /\nExamples:\n {2}tessera /, name);
    // The overview's marks: its common-options heading and its list of every command.
    assert.doesNotMatch(help, /Options for every command|Exit codes:|\n {2}verify <cache>|\n {2}jobs list/, name);
  }
});

test('the examples parse, options and all; where a command takes --bbox, one example is west of Greenwich', () => {
  for (const spec of leaves) {
    for (const example of spec.examples) {
      const words = example
        .match(/"[^"]*"|\S+/g)!
        .slice(1)
        .map((w) => w.replace(/^"|"$/g, ''));
      const cut = words.indexOf('>');
      const { values, positionals } = parseCommandLine(cut < 0 ? words : words.slice(0, cut));
      assert.equal(findCommand(positionals), spec, example);
      assert.equal(foreignOption(spec, values), null, example);
    }
    if (spec.options.some((o) => o.name === 'bbox')) {
      assert.ok(
        spec.examples.some((e) => /--bbox -\d/.test(e)),
        `${spec.path.join(' ')}: a bbox with a negative west`,
      );
    }
  }
});

test('the longest command matches, aliases included; an option of another command is named', () => {
  assert.deepEqual(findCommand(['preseed', 'raster', 'a.tif'])?.path, ['preseed', 'raster']);
  assert.deepEqual(findCommand(['preseed'])?.path, ['preseed']);
  assert.deepEqual(findCommand(['jobs', 'resume', '3'])?.path, ['jobs', 'retry']);
  assert.equal(findCommand(['frobnicate']), undefined);
  const verify = findCommand(['verify'])!;
  assert.equal(foreignOption(verify, { zoom: '3' }), 'tessera verify takes no --zoom option');
  assert.equal(foreignOption(verify, { 'max-zoom': '3', json: true, 'data-dir': '/d' }), null);
  assert.equal(foreignOption(findCommand(['jobs', 'show'])!, { output: 'x' }), 'tessera jobs show takes no -o/--output option');
});

test('a group lists its commands and points at their help', () => {
  const help = commandHelp(findCommand(['jobs'])!);
  for (const sub of ['list', 'show <id>', 'cancel <id...>', 'retry|resume <id...>', 'report <id>']) assert.ok(help.includes(`  ${sub}`), sub);
  assert.doesNotMatch(help, /help \[command\]/);
  assert.match(help, /Run tessera jobs <command> --help/);
});
