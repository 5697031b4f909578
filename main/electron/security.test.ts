import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { blankComments, importsOf } from '../testing/source-imports.js';
import {
  APP_ENTRY_URL,
  APP_ORIGIN,
  APP_SCHEME,
  CONTENT_SECURITY_POLICY,
  CSP_DIRECTIVES,
  answerPermissionCheck,
  answerPermissionRequest,
  isAllowedNavigation,
  isExternalLink,
  isTrustedSenderFrame,
  isTrustedSenderUrl,
  resolveAppAsset,
  secureWebPreferences,
  windowOpenHandler,
} from './security.js';

/** dist/main/electron/security.test.js → the repository root. */
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const PRELOAD = path.resolve('/opt/tessera/dist/preload/electron-preload.cjs');

test('webPreferences: isolated, sandboxed, without Node, every flag as required', () => {
  const prefs = secureWebPreferences(PRELOAD);
  assert.equal(prefs.contextIsolation, true, 'contextIsolation');
  assert.equal(prefs.sandbox, true, 'sandbox');
  assert.equal(prefs.nodeIntegration, false, 'nodeIntegration');
  assert.equal(prefs.nodeIntegrationInWorker, false, 'nodeIntegrationInWorker');
  assert.equal(prefs.nodeIntegrationInSubFrames, false, 'nodeIntegrationInSubFrames');
  assert.equal(prefs.webSecurity, true, 'webSecurity');
  assert.equal(prefs.allowRunningInsecureContent, false, 'allowRunningInsecureContent');
  assert.equal(prefs.webviewTag, false, 'webviewTag');
  assert.equal(prefs.experimentalFeatures, false, 'experimentalFeatures');
  assert.equal(prefs.spellcheck, false, 'spellcheck');
  assert.equal(prefs.navigateOnDragDrop, false, 'navigateOnDragDrop');
  assert.equal(prefs.preload, PRELOAD, 'preload');
  // Nothing more and nothing less: a new flag must be added here on purpose.
  assert.deepEqual(prefs, {
    preload: PRELOAD,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    spellcheck: false,
    navigateOnDragDrop: false,
  });
});

test('webPreferences: a relative preload path is refused (Electron would silently skip it)', () => {
  assert.throws(() => secureWebPreferences('dist/preload/electron-preload.cjs'), /absolute/);
});

test('CSP: default none, scripts only from the app, nothing remote, no eval', () => {
  assert.deepEqual(Object.keys(CSP_DIRECTIVES), [
    'default-src',
    'script-src',
    'style-src',
    'img-src',
    'connect-src',
    'worker-src',
    'font-src',
    'object-src',
    'base-uri',
    'form-action',
    'frame-ancestors',
  ]);
  assert.deepEqual(CSP_DIRECTIVES['default-src'], ["'none'"]);
  assert.deepEqual(CSP_DIRECTIVES['script-src'], ["'self'"]);
  assert.deepEqual(CSP_DIRECTIVES['style-src'], ["'self'", "'unsafe-inline'"]);
  assert.deepEqual(CSP_DIRECTIVES['img-src'], ["'self'", 'data:', 'blob:', 'tessera:']);
  assert.deepEqual(CSP_DIRECTIVES['connect-src'], ["'self'", 'tessera:']);
  assert.deepEqual(CSP_DIRECTIVES['worker-src'], ["'self'", 'blob:']);
  assert.deepEqual(CSP_DIRECTIVES['font-src'], ["'self'"]);
  for (const directive of ['object-src', 'base-uri', 'form-action', 'frame-ancestors']) {
    assert.deepEqual(CSP_DIRECTIVES[directive], ["'none'"], directive);
  }

  assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe-eval|wasm-unsafe-eval|unsafe-hashes|strict-dynamic/);
  assert.doesNotMatch(CONTENT_SECURITY_POLICY, /https?:|wss?:|\*|\blocalhost\b|\d+\.\d+\.\d+\.\d+/);
  // 'unsafe-inline' only for styles, never for scripts.
  const parsed = new Map(CONTENT_SECURITY_POLICY.split('; ').map((d) => [d.split(' ')[0]!, d.split(' ').slice(1)]));
  assert.equal(parsed.size, Object.keys(CSP_DIRECTIVES).length);
  for (const [directive, sources] of parsed) {
    if (directive !== 'style-src') assert.ok(!sources.includes("'unsafe-inline'"), directive);
    for (const source of sources) assert.match(source, /^('self'|'none'|'unsafe-inline'|data:|blob:|tessera:)$/, `${directive} ${source}`);
  }
  assert.ok(CONTENT_SECURITY_POLICY.startsWith("default-src 'none'; script-src 'self';"));
});

test('app origin constants', () => {
  assert.equal(APP_SCHEME, 'tessera');
  assert.equal(APP_ORIGIN, 'tessera://app');
  assert.equal(APP_ENTRY_URL, 'tessera://app/index.html');
});

test('trusted senders: only documents of tessera://app', () => {
  for (const url of ['tessera://app', 'tessera://app/', 'tessera://app/index.html', 'tessera://app/index.html?x=1#jobs']) {
    assert.equal(isTrustedSenderUrl(url), true, url);
  }
  for (const url of [
    'tessera://evil',
    'tessera://evil/index.html',
    'tessera://app.evil/',
    'tessera://app:8080/',
    'tessera://user@app/',
    'tessera://app@evil/',
    'tessera:app',
    'TESSERA://APP/',
    'file:///index.html',
    'file:///home/user/dist/renderer/index.html',
    'http://localhost',
    'http://localhost:5173/',
    'https://tessera.app.evil.com',
    'https://app/',
    'about:blank',
    'devtools://devtools/bundled/inspector.html',
    'data:text/html,<script>1</script>',
    '',
    'not a url',
  ]) {
    assert.equal(isTrustedSenderUrl(url), false, url);
  }
});

test('trusted senders: only the top frame, and never a vanished one', () => {
  assert.equal(isTrustedSenderFrame({ url: 'tessera://app/index.html', parent: null }), true);
  const top = { url: 'tessera://app/index.html', parent: null };
  assert.equal(isTrustedSenderFrame({ url: 'tessera://app/index.html', parent: top }), false, 'a subframe on the app origin');
  assert.equal(isTrustedSenderFrame({ url: 'https://evil.example/', parent: top }), false);
  assert.equal(isTrustedSenderFrame({ url: 'http://localhost/', parent: null }), false);
  assert.equal(isTrustedSenderFrame(null), false, 'senderFrame is null once the frame navigated or was destroyed');
  assert.equal(isTrustedSenderFrame(undefined), false);
});

test('navigation stays on the app origin', () => {
  assert.equal(isAllowedNavigation('tessera://app/index.html'), true);
  for (const url of ['https://example.com/', 'http://localhost/', 'file:///etc/passwd', 'tessera://evil/', 'javascript:alert(1)', 'about:blank']) {
    assert.equal(isAllowedNavigation(url), false, url);
  }
});

test('asset paths: files under the renderer directory only', () => {
  const root = path.resolve('/srv/tessera/dist/renderer');
  assert.equal(resolveAppAsset(root, 'tessera://app/index.html'), path.join(root, 'index.html'));
  assert.equal(resolveAppAsset(root, 'tessera://app'), path.join(root, 'index.html'));
  assert.equal(resolveAppAsset(root, 'tessera://app/'), path.join(root, 'index.html'));
  assert.equal(resolveAppAsset(root, 'tessera://app/assets/index-3f2a.js?v=1#x'), path.join(root, 'assets', 'index-3f2a.js'));
  assert.equal(resolveAppAsset(root, 'tessera://app/assets/my%20font.woff2'), path.join(root, 'assets', 'my font.woff2'));
  assert.equal(resolveAppAsset(root, 'tessera://app/..hidden.js'), path.join(root, '..hidden.js'));

  for (const url of [
    'tessera://app/../secret.txt',
    'tessera://app/assets/../../secret.txt',
    'tessera://app/./index.html',
    'tessera://app/%2e%2e/secret.txt',
    'tessera://app/%2E%2E/%2E%2E/etc/passwd',
    'tessera://app/.%2e/secret.txt',
    'tessera://app/assets/..%2f..%2fsecret.txt',
    'tessera://app/assets/..%2F..%2Fsecret.txt',
    'tessera://app/..%5c..%5csecret.txt',
    'tessera://app/assets\\..\\..\\secret.txt',
    'tessera://app//etc/passwd',
    'tessera://app/%2fetc%2fpasswd',
    'tessera://app/C:/Windows/win.ini',
    'tessera://app/C%3A%5CWindows%5Cwin.ini',
    'tessera://app/index.html%00.png',
    'tessera://app/%E0%A4%A',
    'tessera://app/assets/',
    'tessera://evil/index.html',
    'tessera://app.evil/index.html',
    'tessera://app:1/index.html',
    'file:///srv/tessera/dist/renderer/index.html',
    'https://app/index.html',
  ]) {
    assert.equal(resolveAppAsset(root, url), null, url);
  }
});

test('window.open: always denied; only http(s) links go to the system browser', async () => {
  const opened: string[] = [];
  const handler = windowOpenHandler((url) => {
    opened.push(url);
  });
  for (const url of [
    'https://maplibre.org/',
    'http://example.com/docs',
    'tessera://app/index.html',
    'file:///etc/passwd',
    'ms-msdt:/id',
    'javascript:alert(1)',
    'https://user:pw@example.com/',
  ]) {
    assert.deepEqual(handler({ url }), { action: 'deny' }, url);
  }
  assert.deepEqual(opened, ['https://maplibre.org/', 'http://example.com/docs']);

  const errors: unknown[] = [];
  const failing = windowOpenHandler(
    () => Promise.reject(new Error('no browser')),
    (e) => errors.push(e),
  );
  assert.deepEqual(failing({ url: 'https://example.com/' }), { action: 'deny' });
  const throwing = windowOpenHandler(
    () => {
      throw new Error('no shell');
    },
    (e) => errors.push(e),
  );
  assert.deepEqual(throwing({ url: 'https://example.com/' }), { action: 'deny' });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(errors.length, 2);
  assert.equal(isExternalLink('mailto:ops@example.com'), false);
});

test('permissions: only notifications, only for the app page; everything else is denied', () => {
  const ask = (permission: string, requestingUrl: string) => {
    let granted: boolean | undefined;
    answerPermissionRequest({}, permission, (g) => (granted = g), { requestingUrl });
    return granted;
  };
  for (const permission of ['media', 'geolocation', 'clipboard-read', 'openExternal', 'fullscreen', 'unknown']) {
    assert.equal(ask(permission, 'tessera://app/index.html'), false, permission);
    assert.equal(answerPermissionCheck({}, permission, 'tessera://app'), false, permission);
  }
  assert.equal(ask('notifications', 'tessera://app/index.html'), true);
  assert.equal(answerPermissionCheck({}, 'notifications', 'tessera://app'), true);
  for (const url of ['https://example.com/', 'file:///etc/passwd', 'tessera://evil/', '']) {
    assert.equal(ask('notifications', url), false, url);
    assert.equal(answerPermissionCheck({}, 'notifications', url), false, url);
  }
  let granted: boolean | undefined;
  answerPermissionRequest({}, 'notifications', (g) => (granted = g));
  assert.equal(granted, false, 'no details: no grant');
});

// ---------------------------------------------------------------------------------------------
// The source of the shell: the settings above must be what the shell actually uses.

function source(relative: string): string {
  return readFileSync(path.join(REPO, relative), 'utf8');
}

/** The Content-Security-Policy both shells send: outside main/electron/, so the headless host can import it. */
const CSP_SOURCE = 'main/hosts/content-security-policy.ts';

/** main/electron/*.ts (tests included), the Electron preload and the CSP the shell sends. */
function shellSources(): string[] {
  const dir = path.join(REPO, 'main', 'electron');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => `main/electron/${f}`);
  return [...files, 'preload/electron-preload.ts', CSP_SOURCE];
}

test('source: one Content-Security-Policy for both shells, written once, importing nothing', async () => {
  const shared = await import('../hosts/content-security-policy.js');
  assert.equal(CONTENT_SECURITY_POLICY, shared.CONTENT_SECURITY_POLICY);
  assert.equal(CSP_DIRECTIVES, shared.CSP_DIRECTIVES);
  assert.equal(APP_SCHEME, shared.APP_SCHEME);
  assert.deepEqual(importsOf(source(CSP_SOURCE)), [], `${CSP_SOURCE} is plain data`);
  // No second copy of the directives in either shell: the policy is written in one place.
  const writers = [...shellSources(), 'main/hosts/http-security.ts', 'main/hosts/headless-host.ts'].filter(
    (file) => !file.endsWith('.test.ts') && /['"]default-src['"]\s*:/.test(blankComments(source(file))),
  );
  assert.deepEqual(writers, [CSP_SOURCE]);
});

test('source: the main window uses the secure preferences and installs every guard', () => {
  const window = source('main/electron/window.ts');
  for (const needle of [
    'secureWebPreferences(',
    'setWindowOpenHandler(',
    "'will-navigate'",
    "'will-redirect'",
    "'will-attach-webview'",
    'setPermissionRequestHandler(',
    'setPermissionCheckHandler(',
    'loadURL(APP_ENTRY_URL)',
  ]) {
    assert.ok(window.includes(needle), `window.ts does not contain ${needle}`);
  }
  // The window's options come from mainWindowOptions, which spreads nothing over the preferences.
  assert.match(window, /webPreferences:\s*secureWebPreferences\(preloadPath\)/);
  assert.doesNotMatch(window, /webPreferences:\s*\{/);
  const main = source('main/electron/main.ts');
  assert.match(main, /app\.on\('web-contents-created',[^\n]*hardenWebContents/);
  assert.match(main, /app\.enableSandbox\(\)/);
});

test('source: no insecure flag is written anywhere in the shell or the preload', () => {
  const insecure = [
    /['"]?nodeIntegration['"]?\s*:\s*true/,
    /['"]?nodeIntegrationInWorker['"]?\s*:\s*true/,
    /['"]?nodeIntegrationInSubFrames['"]?\s*:\s*true/,
    /['"]?contextIsolation['"]?\s*:\s*false/,
    /['"]?sandbox['"]?\s*:\s*false/,
    /['"]?webSecurity['"]?\s*:\s*false/,
    /['"]?allowRunningInsecureContent['"]?\s*:\s*true/,
    /['"]?webviewTag['"]?\s*:\s*true/,
    /['"]?bypassCSP['"]?\s*:\s*true/,
    /disable-web-(?:security)|--no-(?:sandbox)/,
  ];
  const files = shellSources();
  assert.ok(files.includes('main/electron/window.ts') && files.includes('main/electron/main.ts'));
  for (const file of files) {
    const text = source(file);
    for (const pattern of insecure) assert.doesNotMatch(text, pattern, `${file} matches ${pattern}`);
  }
});

test('source: the preload exposes only the API, files.pathFor and the desktop bridge, never ipcRenderer or webUtils', () => {
  const preload = blankComments(source('preload/electron-preload.ts'));
  const exposures = [...preload.matchAll(/exposeInMainWorld\(([\s\S]*?)\);/g)].map((m) => m[1]!);
  assert.equal(exposures.length, 1, 'exactly one exposeInMainWorld call');
  const [key, ...rest] = exposures[0]!.split(',');
  assert.equal(key!.trim(), "'tessera'");
  const value = rest.join(',').replace(/\s+/g, ' ').trim();
  // One object: the contract API with `files` and `desktop` beside it, nothing else spread in or added.
  assert.equal(value, '{ ...createTesseraApi(createIpcTransport(ipcRenderer)), files, desktop: createDesktopApi(ipcRenderer), } satisfies TesseraWindowApi');
  // ipcRenderer may only appear as the argument of createIpcTransport and createDesktopApi, which wrap it.
  assert.equal(preload.split('ipcRenderer').length - 1, 3, 'ipcRenderer: imported once, wrapped twice');
  // webUtils may only be called for getPathForFile, inside files.pathFor, which holds nothing else.
  assert.equal(preload.split('webUtils').length - 1, 2, 'webUtils: imported once, used once');
  const files = /const files: TesseraFiles = \{([\s\S]*?)\n\};/.exec(preload);
  assert.ok(files, 'files is declared as a TesseraFiles object literal');
  assert.deepEqual(
    [...files[1]!.matchAll(/^\s*([\w$]+)\s*[:(]/gm)].map((m) => m[1]),
    ['pathFor'],
    'files holds pathFor alone',
  );
  assert.match(files[1]!, /pathFor: \(file\) => webUtils\.getPathForFile\(file\) \|\| null,/, "pathFor asks webUtils, and '' is no path");
  // Of electron, the preload takes exactly these; anything more would be one more way into the page.
  const electronImport = /import\s*\{([^}]*)\}\s*from\s*'electron'/.exec(preload);
  assert.ok(electronImport, 'the preload imports from electron by name');
  assert.deepEqual(
    electronImport[1]!
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean)
      .sort(),
    ['contextBridge', 'ipcRenderer', 'webUtils'],
  );
  assert.doesNotMatch(preload, /exposeInIsolatedWorld/);
});

test('source: only main.ts imports electron at run time; the rest of the shell is testable under Node', () => {
  for (const file of shellSources()) {
    const valueImports = importsOf(source(file)).filter((i) => (i.specifier === 'electron' || i.specifier.startsWith('electron/')) && !i.typeOnly);
    if (file === 'main/electron/main.ts' || file === 'preload/electron-preload.ts') {
      assert.equal(valueImports.length, 1, `${file} imports electron once`);
    } else {
      assert.deepEqual(valueImports, [], `${file} must use \`import type\` for electron`);
    }
  }
});
