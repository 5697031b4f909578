/**
 * `window.tessera.desktop`: what only the desktop app offers the page (native file dialogs,
 * Reveal in folder). Absent in the browser console, where the page types server paths instead.
 * Types only, shared by the preload, the main process's desktop host and the renderer.
 */

/** What a "Browse…" button picks: the dialog's title and file filters follow from it. */
export interface DesktopPickInput {
  purpose: 'raster' | 'vector' | 'coverage' | 'cache' | 'output';
  /** Several files at once (raster datasets, vector sources). */
  multiple?: boolean;
  /** Where the dialog opens: the field's current path, when there is one. */
  defaultPath?: string | undefined;
}

export type DesktopRequest = { name: 'pick'; input: DesktopPickInput } | { name: 'reveal'; input: { path: string } };

export interface TesseraDesktop {
  /** The paths chosen in a native dialog; empty when the operator cancelled. */
  pick(input: DesktopPickInput): Promise<string[]>;
  /** Shows the file or folder in the system's file manager (Finder, Explorer, Files). */
  reveal(path: string): Promise<void>;
}
