/**
 * How the end-to-end tests start Debian's Chromium, shared by the Playwright config and the
 * harness (which also launches it for the benchmarks). ../shared/docs/environment.md: what works
 * headless here (never --use-gl=swiftshader, which kills WebGL).
 */
export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
];
