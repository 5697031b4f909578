import { expect, test } from 'vitest';
import { mount } from '../testing/mount.js';
import { PathText, pathParts } from './path-text.js';

test('a path is cut after each separator, and nowhere else', () => {
  expect(pathParts('/srv/tiles/alps-2024.mbtiles')).toEqual(['/', 'srv/', 'tiles/', 'alps-2024.mbtiles']);
  expect(pathParts('C:\\tiles\\alps.pmtiles')).toEqual(['C:\\', 'tiles\\', 'alps.pmtiles']);
  expect(pathParts('/data/z-x-y/')).toEqual(['/', 'data/', 'z-x-y/']);
  expect(pathParts('alps.mbtiles')).toEqual(['alps.mbtiles']);
});

test('PathText renders the whole path, a <wbr> after each separator, with the full path as its title', async () => {
  const mounted = await mount(<PathText path="/srv/tiles/alps.mbtiles" />, {});
  const span = mounted.container.querySelector('.path-text')!;
  expect(span.textContent).toBe('/srv/tiles/alps.mbtiles');
  expect(span.getAttribute('title')).toBe('/srv/tiles/alps.mbtiles');
  expect([...span.querySelectorAll('.path-part')].map((p) => p.textContent)).toEqual(['/', 'srv/', 'tiles/', 'alps.mbtiles']);
  expect(span.querySelectorAll('wbr')).toHaveLength(3);
  await mounted.unmount();
});
