/**
 * The console shows dates in one style (renderer/dates.ts): no screen formats a date by itself.
 * Read from the source, as main/architecture.test.ts does.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sourceFilesUnder } from './testing/source-imports.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** Ways of turning a date into text other than renderer/dates.ts. */
const OWN_FORMATTING = /Intl\.DateTimeFormat|\.toLocale(Date|Time)String\(|\bDate\([^)]*\)\.toLocaleString\(|\bdateStyle\b|\btimeStyle\b/;

test('every date and time in renderer/ goes through renderer/dates.ts', () => {
  const files = sourceFilesUnder(REPO, 'renderer').filter((f) => /\.tsx?$/.test(f) && !/\.test\.tsx?$/.test(f) && f !== 'renderer/dates.ts');
  assert.ok(files.includes('renderer/queue/job-row.tsx'), `the walk found renderer/ under ${REPO}`);
  const offenders = files.filter((f) => OWN_FORMATTING.test(readFileSync(path.join(REPO, f), 'utf8')));
  assert.deepEqual(offenders, []);
});
