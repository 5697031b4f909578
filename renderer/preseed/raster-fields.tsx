/** The raster form's own fields: the datasets, and how their pixels become tiles. */
import { RASTER_FORMATS, RESAMPLINGS } from '../../shared/contract.js';
import { formatUpsampling } from '../../shared/format.js';
import { Field } from '../forms/field.js';
import { type InputProps, NumberInput } from '../forms/inputs.js';
import { ZoomField } from './common-fields.js';
import { PathList } from './path-list.js';
import type { RasterForm } from './preseed-form.js';
import type { DatasetVerdicts, PartProps } from './preseed-parts.js';

export function RasterFields({ form, edit, errorFor, invalid, verdicts }: PartProps<RasterForm> & { verdicts: DatasetVerdicts }) {
  const usesQuality = form.format !== 'png';
  return (
    <>
      <fieldset>
        <legend>Datasets</legend>
        <p className="muted small fieldset-note">
          GeoTIFF, COG, VRT or anything GDAL opens, in any CRS: paths on the engine’s machine, or datasets from the catalogue.
        </p>
        <PathList
          field="params.datasets"
          noun="Dataset"
          paths={form.datasets}
          onChange={(datasets, groups) => edit({ datasets }, groups)}
          errorFor={errorFor}
          invalid={invalid}
          verdicts={verdicts}
        />
      </fieldset>
      <fieldset>
        <legend>Tiles</legend>
        <ZoomField form={form} edit={edit} errorFor={errorFor} invalid={invalid} />
        <UpsamplingNotes maxZoom={form.maxZoom} datasets={form.datasets} verdicts={verdicts} />
        <Field group label="Tile size" error={errorFor('params.tileSize')}>
          {() => (
            <div className="choice" role="radiogroup" aria-label="Tile size">
              {([256, 512] as const).map((size) => (
                <label key={size}>
                  <input
                    type="radio"
                    name="tileSize"
                    data-field={size === 256 ? 'params.tileSize' : undefined}
                    checked={form.tileSize === size}
                    onChange={() => edit({ tileSize: size }, ['params.tileSize'])}
                  />{' '}
                  {size} px
                </label>
              ))}
            </div>
          )}
        </Field>
        <Field
          group
          label="Format"
          error={errorFor('params.format', 'params.quality', 'params.pngPalette')}
          help={usesQuality ? 'Quality 1–100: lower is smaller.' : 'PNG is lossless; a palette of at most 256 colours makes much smaller files.'}
        >
          {(_id, describedBy) => (
            <div className="choice">
              <select
                aria-label="Image format"
                data-field="params.format"
                value={form.format}
                onChange={(e) => edit({ format: e.currentTarget.value as RasterForm['format'] }, ['params.format', 'params.quality', 'params.pngPalette'])}
              >
                {RASTER_FORMATS.map((f) => (
                  <option key={f} value={f}>
                    {f.toUpperCase()}
                  </option>
                ))}
              </select>
              {usesQuality ? (
                <label>
                  quality{' '}
                  <NumberInput
                    field="params.quality"
                    describedBy={describedBy}
                    invalid={invalid('params.quality')}
                    min={1}
                    max={100}
                    step={1}
                    className="tiny"
                    value={form.quality}
                    onValue={(quality) => edit({ quality }, ['params.quality'])}
                  />
                </label>
              ) : (
                <label>
                  <input
                    type="checkbox"
                    data-field="params.pngPalette"
                    checked={form.pngPalette}
                    onChange={(e) => edit({ pngPalette: e.currentTarget.checked }, ['params.pngPalette'])}
                  />{' '}
                  palette (≤ 256 colours)
                </label>
              )}
            </div>
          )}
        </Field>
        <Field
          label="Resampling"
          error={errorFor('params.resampling')}
          help="How source pixels become tile pixels; average suits imagery and DEMs at lower zooms."
        >
          {(id, describedBy) => (
            <select
              id={id}
              data-field="params.resampling"
              aria-describedby={describedBy}
              value={form.resampling}
              onChange={(e) => edit({ resampling: e.currentTarget.value as RasterForm['resampling'] }, ['params.resampling'])}
            >
              {RESAMPLINGS.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          group
          label="Scaling to 8 bits"
          error={errorFor('params.scale')}
          help="For 16-bit and float data (DEMs, scientific rasters); 8-bit data is never scaled."
        >
          {(_id, describedBy) => (
            <div className="choice" role="radiogroup" aria-label="Scaling to 8 bits">
              <label>
                <input
                  type="radio"
                  name="scaleMode"
                  data-field="params.scale"
                  checked={form.scaleMode === 'auto'}
                  onChange={() => edit({ scaleMode: 'auto' }, ['params.scale'])}
                />{' '}
                each band’s min–max
              </label>
              <label>
                <input type="radio" name="scaleMode" checked={form.scaleMode === 'range'} onChange={() => edit({ scaleMode: 'range' }, ['params.scale'])} />{' '}
                from
              </label>
              <ScaleInput
                aria-label="Scale from"
                field="params.scale.0"
                describedBy={describedBy}
                invalid={invalid('params.scale.0') || invalid('params.scale')}
                disabled={form.scaleMode !== 'range'}
                value={form.scaleMin}
                onValue={(scaleMin) => edit({ scaleMin }, ['params.scale'])}
              />
              <label>
                to{' '}
                <ScaleInput
                  aria-label="Scale to"
                  field="params.scale.1"
                  describedBy={describedBy}
                  invalid={invalid('params.scale.1')}
                  disabled={form.scaleMode !== 'range'}
                  value={form.scaleMax}
                  onValue={(scaleMax) => edit({ scaleMax }, ['params.scale'])}
                />
              </label>
            </div>
          )}
        </Field>
      </fieldset>
    </>
  );
}

/** An end of the scaling range: any number. */
function ScaleInput(props: Omit<InputProps, 'type'>) {
  return <NumberInput step="any" className="short" {...props} />;
}

/**
 * Under the zooms: each dataset whose native zoom (measured by GDAL in the dry run of the form as
 * it is, at its tile size) the max zoom goes past, and by how many levels.
 */
function UpsamplingNotes({ maxZoom, datasets, verdicts }: { maxZoom: string; datasets: readonly string[]; verdicts: DatasetVerdicts }) {
  const z = Number(maxZoom);
  if (maxZoom.trim() === '' || !Number.isInteger(z)) return null;
  const notes = (verdicts ?? []).flatMap((v, i) => {
    const text = v.path === datasets[i]?.trim() ? formatUpsampling(z, v.nativeZoom) : null;
    return text ? [{ path: v.path, text }] : [];
  });
  if (notes.length === 0) return null;
  return (
    <div className="field-warning small" data-testid="zoom-upsampled" role="note">
      {notes.map((n) => (
        <div key={n.path}>{datasets.length > 1 ? `${fileName(n.path)}: ${n.text}` : n.text}</div>
      ))}
    </div>
  );
}

function fileName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
