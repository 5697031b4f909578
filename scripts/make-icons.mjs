#!/usr/bin/env node
/**
 * Renders the app's icons from the two drawings in assets/ (the mark, icon.svg, and its one-colour
 * tray form, tray.svg) with sharp, the engine's own image library:
 *
 *   node scripts/make-icons.mjs            # writes the PNGs below
 *   node scripts/make-icons.mjs --check    # exits 1 if a committed PNG is missing or differs from what it would write
 *
 * - assets/icon.png, 1024 px: electron-builder derives the macOS .icns and the Windows .ico from it
 *   (its `icon` option, and buildResources/icon.png by default).
 * - assets/icons/NxN.png, 16–512 px: the Linux packages' hicolor icon set (linux.icon points at the folder).
 * - assets/tray/: tray.png and tray@2x.png in colour (Windows, Linux); trayTemplate.png and
 *   trayTemplate@2x.png black with alpha (macOS tints template images to the menu bar).
 * - renderer/public/favicon.png, 32 px, and favicon.svg: the browser console's tab icon (Vite
 *   copies renderer/public/ into the build as is).
 *
 * --check compares decoded pixels, not bytes, so a libvips with another zlib does not fail it.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
/** Where to write (default: the repository); a test renders into a scratch folder. */
const outIndex = process.argv.indexOf('--out');
const outRoot = outIndex > 0 ? process.argv[outIndex + 1] : root;

const mark = join(root, 'assets/icon.svg');
const tray = join(root, 'assets/tray.svg');

/** The Linux icon theme sizes electron-builder installs (hicolor/NxN/apps). */
const LINUX_SIZES = [16, 24, 32, 48, 64, 128, 256, 512];

/** Every PNG this script makes: repo-relative path, drawing, size in pixels. */
const outputs = [
  { path: 'assets/icon.png', svg: mark, size: 1024 },
  ...LINUX_SIZES.map((size) => ({ path: `assets/icons/${size}x${size}.png`, svg: mark, size })),
  { path: 'assets/tray/tray.png', svg: mark, size: 16 },
  { path: 'assets/tray/tray@2x.png', svg: mark, size: 32 },
  { path: 'assets/tray/trayTemplate.png', svg: tray, size: 16 },
  { path: 'assets/tray/trayTemplate@2x.png', svg: tray, size: 32 },
  { path: 'renderer/public/favicon.png', svg: mark, size: 32 },
];

/** The drawing at `size` px square; the SVG is rasterised at the density that gives that size directly (no resampling blur). */
function render(svg, size) {
  const width = Number(/viewBox="0 0 (\d+)/.exec(readFileSync(svg, 'utf8'))[1]);
  return sharp(svg, { density: (72 * size) / width })
    .resize(size, size)
    .png({ compressionLevel: 9, adaptiveFiltering: true });
}

/** Largest per-channel difference between two PNGs' pixels, or Infinity when their sizes differ. */
async function pixelDifference(a, b) {
  const [pa, pb] = await Promise.all([a, b].map((input) => sharp(input).ensureAlpha().raw().toBuffer({ resolveWithObject: true })));
  if (pa.info.width !== pb.info.width || pa.info.height !== pb.info.height) return Number.POSITIVE_INFINITY;
  let max = 0;
  for (let i = 0; i < pa.data.length; i++) max = Math.max(max, Math.abs(pa.data[i] - pb.data[i]));
  return max;
}

const stale = [];
for (const { path, svg, size } of outputs) {
  const target = join(outRoot, path);
  if (check) {
    if (!existsSync(target)) stale.push(`${path} is missing`);
    else if ((await pixelDifference(await render(svg, size).toBuffer(), target)) > 2) stale.push(`${path} differs from ${relative(root, svg)}`);
    continue;
  }
  mkdirSync(dirname(target), { recursive: true });
  await render(svg, size).toFile(target);
}
if (check) {
  const favicon = join(outRoot, 'renderer/public/favicon.svg');
  if (!existsSync(favicon) || readFileSync(favicon, 'utf8') !== readFileSync(mark, 'utf8')) stale.push('renderer/public/favicon.svg is not assets/icon.svg');
  if (stale.length) {
    process.stderr.write(`icons out of date (run node scripts/make-icons.mjs):\n  ${stale.join('\n  ')}\n`);
    process.exit(1);
  }
} else {
  mkdirSync(join(outRoot, 'renderer/public'), { recursive: true });
  copyFileSync(mark, join(outRoot, 'renderer/public/favicon.svg'));
  process.stdout.write(`wrote ${outputs.length + 1} icons under ${outRoot}\n`);
}
