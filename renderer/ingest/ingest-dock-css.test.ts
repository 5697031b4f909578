/**
 * The uploads dock's height cap, read from ingest.css: at 1024×700 the open dock (head and body)
 * stays under a third of the window, so the screen above (a Retry with CRS… picker's search too)
 * keeps most of it, and the body scrolls inside the cap.
 */
import { beforeAll, expect, test } from 'vitest';

// Read from disk (vitest runs from the repository root): an imported .css (even ?raw) is empty
// under test, and the renderer has no Node types, hence the untyped import.
let css = '';
beforeAll(async () => {
  const fs = (await import(/* @vite-ignore */ `node:${'fs'}`)) as { readFileSync(path: string, encoding: 'utf8'): string };
  css = fs.readFileSync('renderer/ingest/ingest.css', 'utf8');
});

function rule(selector: string): Record<string, string> {
  const at = css.indexOf(`\n${selector} {`);
  expect(at, `${selector} in ingest.css`).toBeGreaterThanOrEqual(0);
  const body = css.slice(css.indexOf('{', at) + 1, css.indexOf('}', at)).replace(/\/\*[\s\S]*?\*\//g, '');
  const decls: Record<string, string> = {};
  for (const d of body.split(';')) {
    const i = d.indexOf(':');
    if (i > 0) decls[d.slice(0, i).trim()] = d.slice(i + 1).trim();
  }
  return decls;
}

/** A length (px, vh, min(…)) in px for a window `height` px high. */
function px(value: string, height: number): number {
  const min = /^min\((.*)\)$/.exec(value);
  if (min) return Math.min(...min[1]!.split(',').map((v) => px(v.trim(), height)));
  const m = /^([\d.]+)(px|vh)$/.exec(value);
  if (!m) throw new Error(`not a length: ${value}`);
  return m[2] === 'px' ? Number(m[1]) : (Number(m[1]) * height) / 100;
}

test('the open dock, head included, is capped under a third of a 1024×700 window and its body scrolls', () => {
  const dock = rule('.ingest-dock');
  expect(dock['max-height'], 'the dock itself has a cap').toBeDefined();
  expect(px(dock['max-height']!, 700)).toBeLessThanOrEqual(700 * 0.3);
  expect(px(dock['max-height']!, 1200)).toBeLessThanOrEqual(300);
  const body = rule('.ingest-dock-body');
  expect(body.overflow).toBe('auto');
  expect(body['min-height']).toBe('0');
});
