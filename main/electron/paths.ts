/**
 * Where the shell finds the built preload and renderer, relative to the compiled shell
 * (dist/main/electron/), so the same code works from the source tree and inside app.asar.
 */
import { fileURLToPath } from 'node:url';

export interface ShellPaths {
  /** The bundled sandboxed preload: a sandboxed preload cannot require its sibling modules. */
  preload: string;
  /** The Vite build of the renderer, served on tessera://app. */
  rendererDir: string;
  /**
   * The window's icon (Linux and Windows show it in the title bar and task switcher; macOS uses
   * the bundle's .icns). assets/ is in the package's files for this and the tray icons.
   */
  windowIcon: string;
  /** The tray icon (a template image on macOS, which the system tints for light and dark menu bars). */
  trayIcon: string;
}

/** The shell's paths; `moduleUrl` is a module of dist/main/electron/ (this one by default). */
export function shellPaths(moduleUrl: string = import.meta.url, platform: NodeJS.Platform = process.platform): ShellPaths {
  return {
    preload: fileURLToPath(new URL('../../preload/electron-preload.cjs', moduleUrl)),
    rendererDir: fileURLToPath(new URL('../../renderer/', moduleUrl)),
    windowIcon: fileURLToPath(new URL('../../../assets/icons/256x256.png', moduleUrl)),
    trayIcon: fileURLToPath(new URL(`../../../assets/tray/${platform === 'darwin' ? 'trayTemplate' : 'tray'}.png`, moduleUrl)),
  };
}
