import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MenuItemConstructorOptions } from 'electron';
import { buildMenuTemplate } from './menu.js';

function roles(items: MenuItemConstructorOptions[]): string[] {
  return items.flatMap((item) => [...(item.role ? [item.role] : []), ...(Array.isArray(item.submenu) ? roles(item.submenu) : [])]);
}

const DEV_ONLY = ['reload', 'forceReload', 'toggleDevTools'];

test('packaged builds have no reload and no developer tools', () => {
  for (const platform of ['linux', 'win32', 'darwin'] as const) {
    const found = roles(buildMenuTemplate({ platform, isPackaged: true }));
    for (const role of DEV_ONLY) assert.ok(!found.includes(role), `${platform}: ${role}`);
    assert.ok(found.includes('editMenu'), 'copy and paste work in text fields');
    assert.ok(found.includes('zoomIn'));
  }
});

test('development builds add reload and the developer tools', () => {
  const found = roles(buildMenuTemplate({ platform: 'linux', isPackaged: false }));
  for (const role of DEV_ONLY) assert.ok(found.includes(role), role);
});

test('macOS gets the app menu; other platforms quit from File and have About under Help', () => {
  const mac = buildMenuTemplate({ platform: 'darwin', isPackaged: true });
  assert.equal(mac[0]?.role, 'appMenu');
  assert.ok(!roles(mac).includes('quit'), 'Quit lives in the app menu on macOS');
  const linux = buildMenuTemplate({ platform: 'linux', isPackaged: true });
  assert.ok(!roles(linux).includes('appMenu'));
  assert.ok(roles(linux).includes('quit'));
  assert.ok(roles(linux).includes('about'));
});
