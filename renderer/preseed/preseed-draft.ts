/**
 * The preseed forms as typed, kept while the console is open: an operator who goes to the map or
 * the queue to check something comes back to the form as it was. Each tab has its own draft.
 * UI state only; nothing here is engine data.
 */
import { create } from 'zustand';
import { type PreseedKind, type RasterForm, type VectorForm, emptyRasterForm, emptyVectorForm } from './preseed-form.js';

interface DraftState {
  raster: RasterForm;
  vector: VectorForm;
  /** The tab shown when the route does not name one. */
  lastKind: PreseedKind;
  setRaster(form: RasterForm): void;
  setVector(form: VectorForm): void;
  setLastKind(kind: PreseedKind): void;
  /** Blank forms (after a start, or from "Clear the form"). */
  clear(kind: PreseedKind): void;
}

export const usePreseedDraft = create<DraftState>((set) => ({
  raster: emptyRasterForm(),
  vector: emptyVectorForm(),
  lastKind: 'raster',
  setRaster: (raster) => set({ raster }),
  setVector: (vector) => set({ vector }),
  setLastKind: (lastKind) => set({ lastKind }),
  clear: (kind) => set(kind === 'raster' ? { raster: emptyRasterForm() } : { vector: emptyVectorForm() }),
}));
