/**
 * Reads the module specifiers a source file imports, for the tests that hold the layers apart
 * (main/layering.test.ts, main/electron/security.test.ts).
 *
 * A regex scan, not a parser: it finds static `import`/`export … from`, side-effect imports,
 * `import type`, dynamic `import()` and `require()`, after blanking out comments so that an
 * example in a doc comment is not taken for an import. Only literal specifiers are seen.
 */
import { type Dirent, readdirSync } from 'node:fs';
import path from 'node:path';

export interface SourceImport {
  specifier: string;
  /** `import type …` / `export type …`: erased from the JavaScript output. */
  typeOnly: boolean;
  kind: 'static' | 'dynamic' | 'require';
  /** 1-based line of the import. */
  line: number;
}

const STATIC_IMPORT = /(?:^|[\s;}])(?:import|export)\s*(type\s+)?(?:[\w$*{}\s,]+?\s*from\s*)?(['"])([^'"\n]+)\2/g;
const DYNAMIC_IMPORT = /\bimport\s*\(\s*(['"`])([^'"`\n]+)\1\s*[,)]/g;
const REQUIRE_CALL = /\brequire\s*\(\s*(['"`])([^'"`\n]+)\1\s*\)/g;

/** Every import of `source`, in order of appearance. */
export function importsOf(source: string): SourceImport[] {
  const code = blankComments(source);
  const found: (SourceImport & { at: number })[] = [];
  const lineAt = (index: number) => code.slice(0, index).split('\n').length;
  for (const m of code.matchAll(STATIC_IMPORT)) {
    const at = m.index + m[0].search(/import|export/);
    found.push({ specifier: m[3]!, typeOnly: m[1] !== undefined, kind: 'static', line: lineAt(at), at });
  }
  for (const m of code.matchAll(DYNAMIC_IMPORT)) {
    found.push({ specifier: m[2]!, typeOnly: false, kind: 'dynamic', line: lineAt(m.index), at: m.index });
  }
  for (const m of code.matchAll(REQUIRE_CALL)) {
    found.push({ specifier: m[2]!, typeOnly: false, kind: 'require', line: lineAt(m.index), at: m.index });
  }
  return found.sort((a, b) => a.at - b.at).map(({ at: _at, ...rest }) => rest);
}

/**
 * Replaces comments with spaces (keeping line breaks, so lines still count) and leaves strings
 * alone. Quotes inside regex literals can confuse it; a confused quote ends at the line's end.
 */
export function blankComments(source: string): string {
  let out = '';
  let quote: string | null = null;
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    const next = source[i + 1];
    if (quote !== null) {
      if (c === '\\') {
        out += c + (next ?? '');
        i += 2;
        continue;
      }
      if (c === quote || (c === '\n' && quote !== '`')) quote = null;
      out += c;
      i++;
      continue;
    }
    if (c === '/' && next === '/') {
      while (i < source.length && source[i] !== '\n') {
        out += ' ';
        i++;
      }
      continue;
    }
    if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end === -1 ? source.length : end + 2;
      out += source.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
    out += c;
    i++;
  }
  return out;
}

const SOURCE_FILE = /\.(?:[cm]?ts|tsx|[cm]?js|jsx)$/;
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'release', 'coverage']);

/** Source files under `dir` (repo-relative, `/`-separated), skipping build output and dot folders. */
export function sourceFilesUnder(repoRoot: string, dir: string): string[] {
  const files: string[] = [];
  const walk = (relative: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(path.join(repoRoot, relative), { withFileTypes: true });
    } catch {
      return; // a layer that does not exist yet has nothing to check
    }
    for (const entry of entries) {
      const child = `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('.') && !SKIPPED_DIRS.has(entry.name)) walk(child);
      } else if (entry.isFile() && SOURCE_FILE.test(entry.name) && !entry.name.endsWith('.d.ts')) {
        files.push(child);
      }
    }
  };
  walk(dir);
  return files.sort();
}
