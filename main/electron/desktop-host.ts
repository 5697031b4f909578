/**
 * What only the desktop offers the page (issue 18): native file dialogs ("Browse…") and "Reveal in
 * folder". Served on its own invoke channel behind the same sender check as the contract, and,
 * like the IPC host, given Electron's objects as parameters so it is tested under plain Node.
 *
 * Not part of the contract: the headless console has no dialogs to open on the operator's screen
 * (its server may be in another building), so the page shows these buttons only when the preload
 * offers `window.tessera.desktop`.
 */
import { stat } from 'node:fs/promises';
import type { BrowserWindow, Dialog, IpcMain, IpcMainInvokeEvent, OpenDialogOptions, Shell } from 'electron';
import { DESKTOP_CHANNEL } from '../../preload/ipc-channels.js';
import type { DesktopPickInput, DesktopRequest } from '../../preload/desktop-api.js';
import type { Reply } from '../../shared/contract.js';
import { TesseraError, badInputAt, serializeError } from '../../shared/errors.js';
import { FORBIDDEN_REPLY } from './ipc-host.js';
import { isTrustedSenderFrame } from './security.js';

export interface DesktopHostOptions {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  dialog: Pick<Dialog, 'showOpenDialog' | 'showSaveDialog'>;
  shell: Pick<Shell, 'showItemInFolder'>;
  /** The window dialogs belong to (modal to it), or null while there is none. */
  window: () => BrowserWindow | null;
  /** The engine's path policy: a path the engine would refuse is not revealed either. */
  assertPath: (field: string, path: string) => Promise<void>;
  onRefused?: (detail: { url: string | null }) => void;
}

/** The filters a dialog offers per purpose: what the engine can read, or all files. */
const FILTERS: Record<DesktopPickInput['purpose'], OpenDialogOptions['filters']> = {
  raster: [
    { name: 'Rasters', extensions: ['tif', 'tiff', 'vrt', 'jpg', 'jpeg', 'png', 'jp2', 'hgt', 'asc', 'img', 'nc', 'dem'] },
    { name: 'All files', extensions: ['*'] },
  ],
  vector: [
    { name: 'Vector data', extensions: ['gpkg', 'shp', 'geojson', 'json', 'fgb', 'kml', 'gml', 'gz', 'zip', 'csv', 'sqlite', 'topojson'] },
    { name: 'All files', extensions: ['*'] },
  ],
  coverage: [
    { name: 'Polygons', extensions: ['geojson', 'json', 'gpkg', 'shp', 'fgb', 'kml'] },
    { name: 'All files', extensions: ['*'] },
  ],
  cache: [
    { name: 'Tile caches', extensions: ['mbtiles', 'pmtiles'] },
    { name: 'All files', extensions: ['*'] },
  ],
  output: [
    { name: 'MBTiles', extensions: ['mbtiles'] },
    { name: 'PMTiles', extensions: ['pmtiles'] },
  ],
};

/** Checks a request's shape: the page is trusted, but a bug must not open a dialog with garbage. */
export function parseDesktopRequest(name: unknown, input: unknown): DesktopRequest {
  const record = (input ?? {}) as Record<string, unknown>;
  if (name === 'reveal') {
    if (typeof record.path !== 'string' || record.path.trim() === '') throw badInputAt('path', 'empty: give the file or folder to show');
    return { name, input: { path: record.path } };
  }
  if (name === 'pick') {
    const purpose = record.purpose;
    if (typeof purpose !== 'string' || !(purpose in FILTERS)) throw badInputAt('purpose', `one of ${Object.keys(FILTERS).join(', ')}`);
    const multiple = record.multiple === true;
    const defaultPath = typeof record.defaultPath === 'string' && record.defaultPath.trim() !== '' ? record.defaultPath : undefined;
    return { name, input: { purpose: purpose as DesktopPickInput['purpose'], multiple, defaultPath } };
  }
  throw new TesseraError('BAD_INPUT', `no desktop request "${String(name)}" (have: pick, reveal)`);
}

/** Registers the desktop channel; returns the function that removes it. */
export function registerDesktopHost(options: DesktopHostOptions): () => void {
  options.ipcMain.handle(DESKTOP_CHANNEL, async (event: Pick<IpcMainInvokeEvent, 'senderFrame'>, name: unknown, input: unknown): Promise<Reply<unknown>> => {
    const frame = event.senderFrame;
    if (!isTrustedSenderFrame(frame)) {
      options.onRefused?.({ url: frame?.url ?? null });
      return FORBIDDEN_REPLY;
    }
    try {
      const request = parseDesktopRequest(name, input);
      return { ok: true, result: request.name === 'pick' ? await pick(options, request.input) : await reveal(options, request.input.path) };
    } catch (error) {
      return { ok: false, error: serializeError(error) };
    }
  });
  return () => options.ipcMain.removeHandler(DESKTOP_CHANNEL);
}

/** Paths the operator chose (none when they cancelled). An output is a file to create, the others files to open. */
async function pick(options: DesktopHostOptions, input: DesktopPickInput): Promise<string[]> {
  const window = options.window();
  const filters = FILTERS[input.purpose];
  if (input.purpose === 'output') {
    const dialogOptions = {
      title: 'Where the tile cache goes',
      defaultPath: input.defaultPath,
      filters,
      properties: ['createDirectory' as const, 'showOverwriteConfirmation' as const],
    };
    const chosen = window ? await options.dialog.showSaveDialog(window, dialogOptions) : await options.dialog.showSaveDialog(dialogOptions);
    return chosen.canceled || !chosen.filePath ? [] : [chosen.filePath];
  }
  const dialogOptions: OpenDialogOptions = {
    title: { raster: 'Rasters to preseed', vector: 'Vector sources', coverage: 'Coverage polygons', cache: 'A tile cache' }[input.purpose],
    defaultPath: input.defaultPath,
    filters,
    properties: input.multiple ? ['openFile', 'multiSelections'] : ['openFile'],
  };
  const chosen = window ? await options.dialog.showOpenDialog(window, dialogOptions) : await options.dialog.showOpenDialog(dialogOptions);
  return chosen.canceled ? [] : chosen.filePaths;
}

/** Shows `path` in the system's file manager; refused for a path the engine would refuse, or one that is not there. */
async function reveal(options: DesktopHostOptions, path: string): Promise<null> {
  await options.assertPath('path', path);
  if (!(await stat(path).catch(() => null))) throw badInputAt('path', `${path} does not exist (yet)`);
  options.shell.showItemInFolder(path);
  return null;
}
