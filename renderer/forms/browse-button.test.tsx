/** Browse… and Show in folder: shown only with a desktop bridge; what is picked lands in the form; a refusal is shown. */
import { useState } from 'react';
import { afterEach, expect, test } from 'vitest';
import type { DesktopPickInput, TesseraDesktop } from '../../preload/desktop-api.js';
import { PathList } from '../preseed/path-list.js';
import { type Mounted, byText, click, mount, waitFor } from '../testing/mount.js';
import { BrowseButton, RevealButton } from './browse-button.js';

let mounted: Mounted | null = null;
afterEach(async () => {
  await mounted?.unmount();
  mounted = null;
});

function fakeDesktop(picks: string[][]) {
  const asked: DesktopPickInput[] = [];
  const revealed: string[] = [];
  const desktop: TesseraDesktop = {
    pick: async (input) => {
      asked.push(input);
      return picks.shift() ?? [];
    },
    reveal: async (path) => {
      if (path.includes('gone')) throw { code: 'BAD_INPUT', message: `path: ${path} does not exist (yet)` };
      revealed.push(path);
    },
  };
  return { desktop, asked, revealed };
}

function Datasets() {
  const [paths, setPaths] = useState(['/srv/dem.tif', '']);
  return (
    <>
      <PathList
        field="params.datasets"
        noun="Dataset"
        paths={paths}
        onChange={setPaths}
        errorFor={() => undefined}
        invalid={() => false}
        verdicts={undefined}
      />
      <output data-testid="paths">{JSON.stringify(paths)}</output>
    </>
  );
}

test('in the browser console there is no Browse… and no Show in folder', async () => {
  mounted = await mount(
    <>
      <Datasets />
      <RevealButton path="/srv/out.mbtiles" />
    </>,
    {},
  );
  expect(byText(mounted.container, 'button', 'Browse…')).toBeNull();
  expect(mounted.container.querySelector('[data-testid="reveal"]')).toBeNull();
});

test('on the desktop, Browse… adds the chosen rasters after the typed ones, opening where the last one is; cancel changes nothing', async () => {
  const fake = fakeDesktop([['/srv/a.tif', '/srv/b.tif'], []]);
  mounted = await mount(<Datasets />, {}, { desktop: fake.desktop });
  const paths = () => mounted!.container.querySelector('[data-testid="paths"]')!.textContent;
  await click(byText(mounted.container, 'button', 'Browse…')!);
  await waitFor('the picked files', () => paths() === JSON.stringify(['/srv/dem.tif', '/srv/a.tif', '/srv/b.tif']));
  expect(fake.asked[0]).toEqual({ purpose: 'raster', multiple: true, defaultPath: '/srv/dem.tif' });
  await click(byText(mounted.container, 'button', 'Browse…')!);
  await waitFor('the second dialog', () => fake.asked.length === 2);
  expect(paths()).toBe(JSON.stringify(['/srv/dem.tif', '/srv/a.tif', '/srv/b.tif']));
});

test('Show in folder asks the desktop, and says why when it cannot', async () => {
  const fake = fakeDesktop([]);
  mounted = await mount(
    <>
      <RevealButton path="/srv/out.mbtiles" />
      <BrowseButton purpose="output" onPick={() => {}} />
    </>,
    {},
    { desktop: fake.desktop },
  );
  await click(mounted.container.querySelector('[data-testid="reveal"]')!);
  await waitFor('the reveal', () => fake.revealed.length === 1);
  expect(fake.revealed).toEqual(['/srv/out.mbtiles']);
  await mounted.unmount();
  mounted = await mount(<RevealButton path="/srv/gone.mbtiles" />, {}, { desktop: fake.desktop });
  await click(mounted.container.querySelector('[data-testid="reveal"]')!);
  await waitFor('the refusal', () => byText(mounted!.container, '[role="alert"]', '/srv/gone.mbtiles does not exist (yet)'));
});
