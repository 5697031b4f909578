import { expect, test } from 'vitest';
import type { JobItem } from '../../shared/contract.js';
import { formatBytesOf } from '../storage/bytes.js';
import { dropCounts, dropJobLine, rowStatus } from './drop-status.js';
import type { DropRow } from './ingest-store.js';

const MiB = 1024 ** 2;
const row = (name: string, state: DropRow['state'], size: number, sent: number): DropRow => ({ name, state, size, sent, message: null });
const item = (label: string, state: JobItem['state']) => ({ label, state }) as JobItem;

test('the summary counts files and bytes that go, in units, and the refused apart', () => {
  const counts = dropCounts([
    row('a.gpkg', 'sent', 12.3 * MiB, 12.3 * MiB),
    row('b.tif', 'sending', 27.7 * MiB, 3 * MiB),
    row('empty.geojson', 'refused', 0, 0),
  ]);
  expect(counts).toEqual({ files: 2, sentFiles: 1, bytes: 40 * MiB, sentBytes: 15.3 * MiB, refused: 1 });
  expect(formatBytesOf(counts.sentBytes, counts.bytes)).toBe('15.3 of 40.0 MiB');
  expect(formatBytesOf(300, 600)).toBe('300 of 600 B');
  expect(formatBytesOf(512 * 1024, 3 * 1024 ** 3)).toBe('0.0 of 3.0 GiB');
});

test('a sent file whose job failed without an item for it says so, never "sent"', () => {
  const sent = row('garbage.geojson', 'sent', 100, 100);
  expect(rowStatus(sent, [], null).word).toBe('sent');
  expect(rowStatus(sent, [], { state: 'failed' })).toEqual({ word: 'failed', text: 'not ingested', tone: 'bad' });
  expect(rowStatus(sent, [item('garbage.geojson', 'failed')], { state: 'failed' })).toEqual({
    word: 'failed',
    text: '0 of 1 file imported, 1 failed',
    tone: 'bad',
  });
  expect(rowStatus(sent, [], { state: 'succeeded' }).word).toBe('ingested');
});

test('a file’s layers count as they import; a partial file is told apart from a failed one', () => {
  const gpkg = row('world.gpkg', 'sent', 100, 100);
  expect(rowStatus(gpkg, [item('world.gpkg › a', 'succeeded'), item('world.gpkg › b', 'running')], null)).toEqual({
    word: 'importing',
    text: '1 of 2 layers imported',
    tone: 'neutral',
  });
  expect(rowStatus(gpkg, [item('world.gpkg › a', 'succeeded'), item('world.gpkg › b', 'failed')], { state: 'partial' }).word).toBe('partial');
  expect(rowStatus(gpkg, [item('world.gpkg › a', 'succeeded')], { state: 'succeeded' }).text).toBe('1 of 1 layer imported');
  expect(rowStatus(row('x.zip', 'refused', 5, 0), [], null).word).toBe('refused');
});

test('a Shapefile’s staging item is not an import: its one failed layer reads "0 of 1 imported", with a file of layers counted by its layers', () => {
  const shp = row('cities.shp', 'sent', 100, 100);
  expect(rowStatus(shp, [item('cities.shp', 'succeeded'), item('cities.shp › cities', 'failed')], { state: 'partial' })).toEqual({
    word: 'failed',
    text: '0 of 1 layer imported, 1 failed',
    tone: 'bad',
  });
  const gpkg = row('world_map.gpkg', 'sent', 100, 100);
  const layers = ['states_provinces', 'countries', 'disputed_borders', 'layer_styles'].map((l) => item(`world_map.gpkg › ${l}`, 'succeeded'));
  expect(rowStatus(gpkg, [item('world_map.gpkg', 'succeeded'), ...layers], { state: 'succeeded' }).text).toBe('4 of 4 layers imported');
});

test('a mixed drop counts files and layers apart, never "2 of 4 items": three files, one of them with two layers', () => {
  const items = [
    item('cities.shp', 'succeeded'),
    item('cities.shp › cities', 'succeeded'),
    item('world.gpkg', 'succeeded'),
    item('world.gpkg › countries', 'succeeded'),
    item('world.gpkg › states', 'running'),
    item('no_prj.shp', 'succeeded'),
    item('no_prj.shp › no_prj', 'failed'),
  ];
  expect(dropJobLine(items)).toBe('3 files · 4 layers: 2 imported, 1 failed, 1 to go');
  // A file that failed before any layer was found is a file, not a layer.
  expect(dropJobLine([...items, item('garbage.bin', 'failed')])).toBe('4 files · 4 layers: 2 imported, 1 failed, 1 to go · 1 file unreadable');
  expect(dropJobLine([item('a.geojson', 'running')])).toBe('1 file · no layer found yet');
  expect(dropJobLine([item('a.geojson', 'succeeded'), item('a.geojson › a', 'cancelled')])).toBe('1 file · 1 layer: 0 imported, 1 cancelled');
});
