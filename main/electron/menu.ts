/**
 * The application menu, as a template (main.ts builds it with Menu.buildFromTemplate).
 *
 * Only standard roles for now: nothing in the renderer consumes a menu command yet (opening a
 * tile cache goes through the job form), so there is no File → Open item that would do nothing.
 * Reload and the developer tools exist only in development builds: in a packaged app a reload
 * would drop the operator's view, and devtools would give anyone at the desk a console into the
 * privileged page.
 */
import type { MenuItemConstructorOptions } from 'electron';

/** What the menu depends on. */
export interface MenuOptions {
  platform: NodeJS.Platform;
  /** app.isPackaged: false when run from the source tree. */
  isPackaged: boolean;
}

/** The menu template for a platform and build. */
export function buildMenuTemplate(options: MenuOptions): MenuItemConstructorOptions[] {
  const mac = options.platform === 'darwin';
  const dev = !options.isPackaged;

  const devItems: MenuItemConstructorOptions[] = [{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, { type: 'separator' }];
  const view: MenuItemConstructorOptions[] = [
    ...(dev ? devItems : []),
    { role: 'resetZoom' },
    { role: 'zoomIn' },
    { role: 'zoomOut' },
    { type: 'separator' },
    { role: 'togglefullscreen' },
  ];

  const template: MenuItemConstructorOptions[] = [];
  // macOS puts About, Hide and Quit under the menu named after the app.
  if (mac) template.push({ role: 'appMenu' });
  template.push(
    { label: 'File', submenu: [mac ? { role: 'close' } : { role: 'quit' }] },
    { role: 'editMenu' },
    { label: 'View', submenu: view },
    { role: 'windowMenu' },
  );
  if (!mac) template.push({ role: 'help', submenu: [{ role: 'about' }] });
  return template;
}
