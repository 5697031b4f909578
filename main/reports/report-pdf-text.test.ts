import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitColumns, hasUnprintable, pdfText, reportFonts, unbreakableWidth, wrapText } from './report-pdf-text.js';

/** One unit per character: widths easy to reason about. */
const chars = (s: string) => [...s].length;

test('the fonts come from the dejavu-fonts-ttf package and cover Latin, Greek, Cyrillic and arrows, not CJK', () => {
  const { regular, bold, oblique, covers } = reportFonts();
  for (const font of [regular, bold, oblique]) assert.equal(font.readUInt32BE(0), 0x00010000, 'a TrueType font');
  for (const ch of 'Zürich Łódź Москва Ελλάδα → ≤ ° – …') assert.ok(covers(ch.codePointAt(0)!), ch);
  for (const ch of '東京한') assert.equal(covers(ch.codePointAt(0)!), false, ch);
});

test('pdfText keeps what the font shows, spells the rest as code points, drops control characters', () => {
  const { covers } = reportFonts();
  assert.equal(pdfText('Zürich → Москва, Ελλάδα', covers), 'Zürich → Москва, Ελλάδα');
  assert.equal(pdfText('Łódź Ωmega ≤ 5 €', covers), 'Łódź Ωmega ≤ 5 €');
  assert.equal(pdfText('東京 tiles', covers), '[U+6771\u00a0U+4EAC] tiles');
  assert.equal(pdfText('line\nbreak\ttab\u0007bell\u200bzero-width', covers), 'line break tabbellzero-width');
  assert.equal(hasUnprintable('Москва', covers), false);
  assert.equal(hasUnprintable('a 東 b', covers), true);
});

test('wrapText breaks at spaces and never inside a word that fits on a line', () => {
  assert.deepEqual(wrapText('SP27GTIF.tif hillshade.tif', 13, chars), ['SP27GTIF.tif', 'hillshade.tif']);
  assert.deepEqual(wrapText('the quick brown fox', 10, chars), ['the quick', 'brown fox']);
  assert.deepEqual(wrapText('SP27GTIF.tif', 12, chars), ['SP27GTIF.tif']);
  assert.deepEqual(wrapText('', 10, chars), ['']);
  assert.deepEqual(wrapText('a  b', 10, chars), ['a b']);
});

test('wrapText: a path longer than a line breaks after "/" or "_", characters only as a last resort', () => {
  assert.deepEqual(wrapText('/data/rgdal/pictures/SP27GTIF.tif', 14, chars), ['/data/rgdal/', 'pictures/', 'SP27GTIF.tif']);
  assert.deepEqual(wrapText('states_provinces_lakes_shp', 12, chars), ['states_', 'provinces_', 'lakes_shp']);
  assert.deepEqual(wrapText('abcdefghij', 4, chars), ['abcd', 'efgh', 'ij']);
  for (const line of wrapText('see /a/very/long/path/to/a/file_name_here.mbtiles now', 16, chars)) assert.ok(chars(line) <= 16, line);
});

test('unbreakableWidth: the widest word, or path segment', () => {
  assert.equal(unbreakableWidth('a SP27GTIF.tif b', chars), 12);
  assert.equal(unbreakableWidth('/data/rgdal/SP27GTIF.tif', chars), 12);
});

test('fitColumns: natural widths when they fit, minimums kept, room by share', () => {
  const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);
  // Everything fits on one line: each column its natural width, the rest shared out.
  const easy = fitColumns([0.5, 0.5], [10, 10], [20, 30], 100);
  assert.ok(Math.abs(sum(easy) - 100) < 1e-9 && easy[0]! >= 20 && easy[1]! >= 30, String(easy));
  // A narrow share widened to its longest word, taken from a column with room to spare.
  const widened = fitColumns([0.1, 0.9], [30, 10], [30, 500], 100);
  assert.deepEqual(widened.map(Math.round), [30, 70]);
  // A short column (timestamps) keeps its natural width; the long one takes the rest.
  const [item, time, message] = fitColumns([0.2, 0.2, 0.6], [12, 10, 10], [40, 19, 400], 100);
  assert.equal(Math.round(time!), 19);
  assert.ok(item! >= 12 && message! > item!, `${item} ${message}`);
  // Minimums alone too wide: scaled down alike.
  assert.deepEqual(fitColumns([0.5, 0.5], [100, 100], [100, 100], 100), [50, 50]);
});
