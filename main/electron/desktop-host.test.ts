/**
 * The desktop channel without Electron: the preload's desktop bridge and the main process's desktop
 * host joined by an in-memory ipcMain/ipcRenderer, a dialog and a shell that record what they were
 * asked, and the engine's real path policy.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { BrowserWindow, IpcMainInvokeEvent, OpenDialogOptions, SaveDialogOptions } from 'electron';
import { createDesktopApi } from '../../preload/desktop-bridge.js';
import { DESKTOP_CHANNEL } from '../../preload/ipc-channels.js';
import { assertPathsAllowed, pathPolicy } from '../paths/path-policy.js';
import { registerDesktopHost } from './desktop-host.js';

type Frame = { url: string; parent: unknown } | null;
const APP_FRAME: Frame = { url: 'tessera://app/index.html', parent: null };
const root = mkdtempSync(join(tmpdir(), 'tessera-desktop-host-'));
after(() => rmSync(root, { recursive: true, force: true }));

function setUp(options: { frame?: () => Frame; roots?: string[]; open?: string[]; save?: string | null } = {}) {
  type Handler = (event: Pick<IpcMainInvokeEvent, 'senderFrame'>, ...args: unknown[]) => unknown;
  const handlers = new Map<string, Handler>();
  const asked: { open: OpenDialogOptions[]; save: SaveDialogOptions[]; revealed: string[]; modalTo: unknown[] } = {
    open: [],
    save: [],
    revealed: [],
    modalTo: [],
  };
  const window = { id: 'the window' } as unknown as BrowserWindow;
  const dialog = {
    async showOpenDialog(...args: unknown[]) {
      asked.modalTo.push(args.length === 2 ? args[0] : null);
      asked.open.push(args.at(-1) as OpenDialogOptions);
      return options.open ? { canceled: false, filePaths: options.open } : { canceled: true, filePaths: [] };
    },
    async showSaveDialog(...args: unknown[]) {
      asked.modalTo.push(args.length === 2 ? args[0] : null);
      asked.save.push(args.at(-1) as SaveDialogOptions);
      return options.save ? { canceled: false, filePath: options.save } : { canceled: true, filePath: '' };
    },
  };
  const dispose = registerDesktopHost({
    ipcMain: {
      handle: (channel: string, handler: unknown) => void handlers.set(channel, handler as Handler),
      removeHandler: (channel: string) => void handlers.delete(channel),
    },
    dialog: dialog as never,
    shell: { showItemInFolder: (path: string) => void asked.revealed.push(path) },
    window: () => window,
    assertPath: (field, path) => assertPathsAllowed([{ field, path }], pathPolicy({ dataRoots: options.roots ?? [] }, join(root, 'data'), false)),
  });
  const ipcRenderer = {
    async invoke(channel: string, ...args: unknown[]) {
      const handler = handlers.get(channel);
      if (!handler) throw new Error(`No handler registered for '${channel}'`);
      const frame = options.frame ? options.frame() : APP_FRAME;
      return structuredClone(await handler({ senderFrame: frame as IpcMainInvokeEvent['senderFrame'] }, ...structuredClone(args)));
    },
  };
  return { desktop: createDesktopApi(ipcRenderer), asked, handlers, dispose, window };
}

test('Browse… opens a dialog modal to the window with the purpose’s filters, and gives back what was chosen or nothing', async () => {
  const chosen = setUp({ open: ['/srv/a.tif', '/srv/b.tif'] });
  assert.deepEqual(await chosen.desktop.pick({ purpose: 'raster', multiple: true, defaultPath: '/srv' }), ['/srv/a.tif', '/srv/b.tif']);
  const open = chosen.asked.open[0]!;
  assert.deepEqual(open.properties, ['openFile', 'multiSelections']);
  assert.equal(open.defaultPath, '/srv');
  assert.ok(open.filters?.[0]?.extensions.includes('tif') && open.filters.at(-1)?.extensions[0] === '*', 'rasters first, all files last');
  assert.equal(chosen.asked.modalTo[0], chosen.window, 'modal to the app window');

  const cancelled = setUp();
  assert.deepEqual(await cancelled.desktop.pick({ purpose: 'vector' }), [], 'cancel: nothing');
  assert.deepEqual(cancelled.asked.open[0]!.properties, ['openFile']);

  const output = setUp({ save: '/srv/tiles/new.pmtiles' });
  assert.deepEqual(await output.desktop.pick({ purpose: 'output' }), ['/srv/tiles/new.pmtiles'], 'an output is a save dialog');
  assert.equal(output.asked.open.length, 0);
  assert.deepEqual(
    output.asked.save[0]!.filters?.map((f) => f.extensions[0]),
    ['mbtiles', 'pmtiles'],
  );
});

test('Reveal in folder shows what exists inside the data roots; refuses the rest with BAD_INPUT naming the path', async () => {
  const file = join(root, 'cache.mbtiles');
  writeFileSync(file, 'x');
  const open = setUp();
  await open.desktop.reveal(file);
  assert.deepEqual(open.asked.revealed, [file]);
  await assert.rejects(
    open.desktop.reveal(join(root, 'missing.mbtiles')),
    (e: { code: string; message: string }) => e.code === 'BAD_INPUT' && /path: .*does not exist/.test(e.message),
  );

  // With data roots set, a path outside them is not revealed (the engine would not touch it either).
  const rooted = setUp({ roots: [join(root, 'elsewhere')] });
  await assert.rejects(rooted.desktop.reveal(file), (e: { code: string; message: string }) => e.code === 'BAD_INPUT' && e.message.startsWith('path: '));
  assert.deepEqual(rooted.asked.revealed, []);
});

test('only the app page may ask: another frame gets FORBIDDEN and no dialog opens; bad requests say what is wrong', async () => {
  const foreign = setUp({ frame: () => ({ url: 'https://evil.example/', parent: null }), open: ['/etc/passwd'] });
  await assert.rejects(foreign.desktop.pick({ purpose: 'raster' }), (e: { code: string }) => e.code === 'FORBIDDEN');
  const sub = setUp({ frame: () => ({ url: 'tessera://app/index.html', parent: {} }), open: ['/x'] });
  await assert.rejects(sub.desktop.pick({ purpose: 'raster' }), (e: { code: string }) => e.code === 'FORBIDDEN', 'a subframe of the app is not the app');
  assert.equal(foreign.asked.open.length + sub.asked.open.length, 0);

  const { desktop, dispose, handlers } = setUp();
  await assert.rejects(
    desktop.pick({ purpose: 'everything' as never }),
    (e: { code: string; message: string }) => e.code === 'BAD_INPUT' && /^purpose: /.test(e.message),
  );
  await assert.rejects(desktop.reveal(''), (e: { code: string; message: string }) => e.code === 'BAD_INPUT' && /^path: /.test(e.message));
  dispose();
  assert.equal(handlers.has(DESKTOP_CHANNEL), false);
});
