import { expect, test } from 'vitest';
import { nameParts } from './job-row.js';

test('a long job name is cut in its middle: the file’s end is its own part, never cut', () => {
  const name = 'verify northern-alps-hillshade-z0-14-with-a-name-long-enough-to-wrap.mbtiles';
  const parts = nameParts(name);
  expect(parts.map((p) => p.kind)).toEqual(['head', 'tail']);
  expect(parts.map((p) => p.text).join('')).toBe(name);
  expect(parts[1]!.text).toBe('-wrap.mbtiles'.padStart(14, 'o'));
  expect(nameParts('verify pyrenees-dem.mbtiles')).toEqual([{ kind: 'head', text: 'verify pyrenees-dem.mbtiles' }]);
  // Characters, not UTF-16 units: a name in Greek or with an emoji is not split inside a letter.
  const greek = `ingest ${'Ελλάδα-'.repeat(5)}όρια.gpkg`;
  expect(
    nameParts(greek)
      .map((p) => p.text)
      .join(''),
  ).toBe(greek);
  expect(nameParts(greek)[1]!.text).toBe('άδα-όρια.gpkg'.padStart(14, 'λ'));
});

test('a space at the cut stays a space on screen (a no-break space, which no inline box drops)', () => {
  const name = 'preseed raster bluemarble.tif → big.mbtiles';
  const parts = nameParts(name);
  expect(parts[1]!.text.startsWith('\u00a0') || parts[0]!.text.endsWith('\u00a0')).toBe(true);
  expect(
    parts
      .map((p) => p.text)
      .join('')
      .replace(/\u00a0/g, ' '),
  ).toBe(name);
});
