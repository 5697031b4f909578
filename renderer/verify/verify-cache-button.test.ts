import { expect, test } from 'vitest';
import { verifyJobName } from './verify-cache-button.js';

test('a verify job is named after the cache it reads, whatever the path looks like', () => {
  expect(verifyJobName('/srv/tiles/states.mbtiles')).toBe('verify states.mbtiles');
  expect(verifyJobName('/srv/tiles/blue-marble/')).toBe('verify blue-marble');
  expect(verifyJobName('C:\\tiles\\world.pmtiles')).toBe('verify world.pmtiles');
  expect(verifyJobName('x'.repeat(300))).toHaveLength(200);
});
