#!/usr/bin/env node
// The `tessera` executable (package.json bin): the command is main() in tessera.ts, which tests import.
import { EXIT, main } from './tessera.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`tessera: ${String(error)}\n`);
    process.exitCode = EXIT.failed;
  },
);
