/**
 * What the preseed form's parts share: how a part edits the draft and reads its errors, and the
 * ids of the datalists that suggest paths and layer names.
 */
import type { CommonForm, RasterForm, VectorForm } from './preseed-form.js';

/** The datalist of paths (catalogue datasets, recent paths) every path field suggests from. */
export const PATHS_LIST = 'preseed-paths';
/** The datalist of the catalogue's layer names, for the vector form's layers. */
export const LAYERS_LIST = 'preseed-layer-names';

/** Applies a change to the draft and marks `groups` (contract paths) as edited. */
export type Edit = (change: Partial<RasterForm> | Partial<VectorForm>, groups: string[]) => void;
/** The dry run's verdict on each input path, in the order of the form's paths. */
export type DatasetVerdicts = { path: string; error: { code: string; message: string } | null; nativeZoom?: number | null }[] | undefined;

/** The form's errors as a part reads them. */
export interface ErrorProps {
  /** The first error on show among `groups`, in words. */
  errorFor: (...groups: string[]) => string | undefined;
  /** Whether the control at `field` has an error on show. */
  invalid: (field: string) => boolean;
}

export interface PartProps<F extends CommonForm> extends ErrorProps {
  form: F;
  edit: Edit;
}
