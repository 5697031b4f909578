/**
 * The fields both preseed forms have: the zoom range, the box (typed or drawn on the map), what to
 * do with tiles the output already has.
 */
import { type Bbox, PRESEED_MODES, type PreseedMode } from '../../shared/contract.js';
import { Field } from '../forms/field.js';
import { type InputProps, NumberInput, TextField } from '../forms/inputs.js';
import { bboxFields } from './extent.js';
import { ExtentMap } from './extent-map.js';
import { type CommonForm, bboxOf } from './preseed-form.js';
import { PATHS_LIST, type PartProps } from './preseed-parts.js';

/** A zoom level's input (0 to 30). */
export function ZoomInput(props: Omit<InputProps, 'type'>) {
  return <NumberInput min={0} max={30} step={1} className="tiny" {...props} />;
}

/** The zoom range's ends, with the words before each. */
const ZOOM_ENDS = [
  ['minZoom', 'from'],
  ['maxZoom', 'to'],
] as const;

export function ZoomField({ form, edit, errorFor, invalid }: PartProps<CommonForm>) {
  // Each end is touched on its own: typing the last zoom first must not call the empty first one wrong.
  // A reversed range is reported at the first zoom, which was typed (touched) for it to be reversed.
  return (
    <Field group label="Zoom levels" error={errorFor('params.minZoom', 'params.maxZoom')} help="0 to 30; every level from the first to the last is made.">
      {(_id, describedBy) => (
        <div className="choice">
          {ZOOM_ENDS.map(([key, words]) => (
            <label key={key}>
              {words}{' '}
              <ZoomInput
                field={`params.${key}`}
                describedBy={describedBy}
                invalid={invalid(`params.${key}`)}
                value={form[key]}
                onValue={(v) => edit({ [key]: v }, [`params.${key}`])}
              />
            </label>
          ))}
        </div>
      )}
    </Field>
  );
}

export function BboxField({ form, edit, errorFor, invalid, bbox, dataBounds }: PartProps<CommonForm> & { bbox: Bbox | null; dataBounds: Bbox[] }) {
  const names = ['West', 'South', 'East', 'North'] as const;
  const setPart = (i: number, value: string) => edit({ bbox: form.bbox.map((v, j) => (j === i ? value : v)) as CommonForm['bbox'] }, ['params.bbox']);
  const empty = form.bbox.every((v) => v.trim() === '');
  // An error about the box as a whole marks the inputs it is about: west and east for a box across
  // the antimeridian, south and north for one upside down.
  const whole = errorFor('params.bbox');
  const wholeParts = whole === undefined ? null : /^South must/.test(whole) ? [1, 3] : /^West must/.test(whole) ? [0, 2] : null;
  const partInvalid = (i: number) => (wholeParts ? wholeParts.includes(i) : invalid(`params.bbox.${i}`) || (i === 0 && invalid('params.bbox')));
  return (
    <Field
      group
      label="Box"
      error={whole}
      help="WGS84 degrees. Type it, or draw it on the map: shift-drag, or press “Draw a box” and drag."
      after={<ExtentMap bbox={bbox} dataBounds={dataBounds} onBox={(b) => edit({ bbox: bboxFields(b) }, ['params.bbox'])} />}
    >
      {(_id, describedBy) => (
        <div className="bbox-field">
          <div className="bbox-inputs">
            {names.map((name, i) => (
              <label key={name}>
                <span className="small muted">{name}</span>
                <input
                  data-field={`params.bbox.${i}`}
                  aria-describedby={describedBy}
                  aria-invalid={partInvalid(i)}
                  type="number"
                  step="any"
                  min={i % 2 === 0 ? -180 : -90}
                  max={i % 2 === 0 ? 180 : 90}
                  className="coord"
                  value={form.bbox[i]}
                  onChange={(e) => setPart(i, e.currentTarget.value)}
                />
              </label>
            ))}
            <button type="button" disabled={empty} onClick={() => edit({ bbox: ['', '', '', ''] }, ['params.bbox'])}>
              Clear the box
            </button>
          </div>
        </div>
      )}
    </Field>
  );
}

const MODE_TEXT: Record<PreseedMode, string> = {
  resume: 'keep tiles already there (an interrupted or extended seed adds only what is missing)',
  overwrite: 'make every tile again',
  refresh: 'make again the tiles written before',
};

export function ModeFields({ form, edit, errorFor, invalid }: PartProps<CommonForm>) {
  const groups = ['params.mode', 'params.olderThan'];
  return (
    <fieldset>
      <legend>Tiles the output already has</legend>
      <Field group label="Mode" error={errorFor(...groups)}>
        {(_id, describedBy) => (
          <div className="modes" role="radiogroup" aria-label="Mode">
            {PRESEED_MODES.map((mode) => (
              <label key={mode} className="mode">
                <input
                  type="radio"
                  name="mode"
                  value={mode}
                  data-field={mode === 'resume' ? 'params.mode' : undefined}
                  checked={form.mode === mode}
                  onChange={() => edit({ mode }, groups)}
                />
                <span>
                  <strong>{mode}</strong>: {MODE_TEXT[mode]}
                </span>
                {mode === 'refresh' && (
                  <input
                    type="datetime-local"
                    aria-label="Refresh tiles written before"
                    data-field="params.olderThan"
                    aria-describedby={describedBy}
                    aria-invalid={invalid('params.olderThan')}
                    disabled={form.mode !== 'refresh'}
                    value={form.olderThan}
                    onChange={(e) => edit({ olderThan: e.currentTarget.value }, groups)}
                  />
                )}
              </label>
            ))}
          </div>
        )}
      </Field>
    </fieldset>
  );
}

/** Where tiles are made: the box and the coverage file (with the data's own extent, from the dry run, on the map). */
export function ExtentFields({ form, edit, errorFor, invalid, dataBounds }: PartProps<CommonForm> & { dataBounds: Bbox[] }) {
  return (
    <fieldset>
      <legend>Extent</legend>
      <p className="muted small fieldset-note">
        Tiles are made only where the data, the box and the coverage all overlap; with neither, over the data’s whole extent.
      </p>
      <BboxField form={form} edit={edit} errorFor={errorFor} invalid={invalid} bbox={bboxOf(form.bbox)} dataBounds={dataBounds} />
      <TextField
        label="Coverage file"
        error={errorFor('params.coverage')}
        help="Polygons (GeoJSON or any OGR source, any CRS): only tiles touching them are made."
        field="params.coverage"
        list={PATHS_LIST}
        spellCheck={false}
        placeholder="none"
        value={form.coverage}
        onValue={(coverage) => edit({ coverage }, ['params.coverage'])}
      />
    </fieldset>
  );
}
