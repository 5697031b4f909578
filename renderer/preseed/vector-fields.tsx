/** The vector form's own fields: the sources, which layers and attributes, and the tiles' geometry and size policy. */
import { CrsPicker } from '../forms/crs-picker.js';
import { Field } from '../forms/field.js';
import { NumberField, NumberInput } from '../forms/inputs.js';
import { ZoomField, ZoomInput } from './common-fields.js';
import { PathList } from './path-list.js';
import { type AttributeChoice, type LayerForm, type VectorForm, emptyLayer } from './preseed-form.js';
import { type DatasetVerdicts, LAYERS_LIST, type PartProps } from './preseed-parts.js';

/** What the catalogue knows of the sources' layers (a path cannot be read from here). */
export type CatalogRows = { path: string; layers: { name: string; fields: { name: string }[] }[] }[];

function AttributePicker({
  label,
  field,
  choice,
  onChange,
  invalid,
  fields,
}: {
  label: string;
  field: string;
  choice: AttributeChoice;
  onChange: (c: AttributeChoice) => void;
  invalid: boolean;
  fields?: string[];
}) {
  return (
    <span className="attribute-picker">
      <select
        aria-label={`${label}: which`}
        value={choice.keep}
        onChange={(e) => onChange({ ...choice, keep: e.currentTarget.value as AttributeChoice['keep'] })}
      >
        <option value="all">all attributes</option>
        <option value="none">no attributes</option>
        <option value="only">only these:</option>
      </select>
      <input
        aria-label={`${label}: names`}
        data-field={field}
        aria-invalid={invalid}
        className="attribute-list"
        spellCheck={false}
        placeholder={fields && fields.length > 0 ? fields.slice(0, 4).join(', ') : 'name, pop_est'}
        disabled={choice.keep !== 'only'}
        value={choice.list}
        onChange={(e) => onChange({ ...choice, list: e.currentTarget.value })}
        title={fields && fields.length > 0 ? `Fields: ${fields.join(', ')}` : undefined}
      />
    </span>
  );
}

/** The tiles' number fields, each at `params.<key>`. */
const TILE_NUMBERS: { key: 'extent' | 'buffer' | 'tolerance'; label: string; unit: string; help: string; step?: string }[] = [
  { key: 'extent', label: 'Tile extent', unit: 'MVT units', help: '256 to 16384; 4096 is the common choice.' },
  { key: 'buffer', label: 'Buffer', unit: 'MVT units', help: 'Drawn beyond the tile’s edge so lines and labels join up; 0 to 1024.' },
  { key: 'tolerance', label: 'Simplification', unit: '', step: 'any', help: '0 to 100 (as geojson-vt’s tolerance); 0 keeps every vertex.' },
];

export function VectorFields({
  form,
  edit,
  errorFor,
  invalid,
  verdicts,
  catalog,
}: PartProps<VectorForm> & { verdicts: DatasetVerdicts; catalog: CatalogRows }) {
  // Layer names and their fields, where a source is a catalogue dataset (the engine can list them; a path cannot be read from here).
  const known = catalog.filter((d) => form.sources.some((s) => s.trim() === d.path)).flatMap((d) => d.layers);
  const fieldsOf = (name: string) => known.find((l) => l.name === name.trim())?.fields.map((f) => f.name);
  const setLayer = (i: number, change: Partial<LayerForm>, groups: string[]) =>
    edit({ layers: form.layers.map((l, j) => (j === i ? { ...l, ...change } : l)) }, groups);
  return (
    <>
      <fieldset>
        <legend>Sources</legend>
        <p className="muted small fieldset-note">
          GeoJSON, GeoPackage, Shapefile, FlatGeobuf, TopoJSON, KML, CSV… in any CRS: paths on the engine’s machine, or datasets from the catalogue.
        </p>
        <PathList
          field="params.sources"
          noun="Source"
          paths={form.sources}
          onChange={(sources, groups) => edit({ sources }, groups)}
          errorFor={errorFor}
          invalid={invalid}
          verdicts={verdicts}
        />
      </fieldset>
      <fieldset>
        <legend>Layers</legend>
        <datalist id={LAYERS_LIST}>
          {known.map((l) => (
            <option key={l.name} value={l.name} />
          ))}
        </datalist>
        {form.layers.length === 0 && (
          <p className="muted small fieldset-note">
            Every layer of every source, named as in the source. Add a layer to choose layers, rename them, pick their attributes or zooms.
          </p>
        )}
        {form.layers.map((layer, i) => {
          const base = `params.layers.${i}`;
          const error = errorFor(base);
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: a row is a position: its field names, error and labels go by index, its inputs are controlled
            // biome-ignore lint/a11y/useSemanticElements: a row of a form's fieldset, not a nested <fieldset> with its legend and frame
            <div key={i} className={`layer-row${error ? ' has-error' : ''}`} role="group" aria-label={`Layer ${i + 1}`}>
              <label>
                Source layer{' '}
                <input
                  data-field={`${base}.name`}
                  aria-invalid={invalid(`${base}.name`)}
                  list={LAYERS_LIST}
                  spellCheck={false}
                  className="layer-name"
                  value={layer.name}
                  onChange={(e) => setLayer(i, { name: e.currentTarget.value }, [`${base}.name`])}
                />
              </label>
              <label>
                as{' '}
                <input
                  data-field={`${base}.as`}
                  aria-invalid={invalid(`${base}.as`)}
                  spellCheck={false}
                  className="layer-name"
                  placeholder="same name"
                  value={layer.as}
                  onChange={(e) => setLayer(i, { as: e.currentTarget.value }, [`${base}.as`])}
                />
              </label>
              <AttributePicker
                label={`Layer ${i + 1} attributes`}
                field={`${base}.attributes`}
                choice={layer.attributes}
                invalid={invalid(`${base}.attributes`)}
                fields={fieldsOf(layer.name)}
                onChange={(attributes) => setLayer(i, { attributes }, [`${base}.attributes`])}
              />
              <label>
                zooms{' '}
                <ZoomInput
                  aria-label={`Layer ${i + 1} first zoom`}
                  field={`${base}.minZoom`}
                  invalid={invalid(`${base}.minZoom`)}
                  placeholder="all"
                  value={layer.minZoom}
                  onValue={(minZoom) => setLayer(i, { minZoom }, [`${base}.minZoom`, `${base}.maxZoom`])}
                />
              </label>
              <label>
                –{' '}
                <ZoomInput
                  aria-label={`Layer ${i + 1} last zoom`}
                  field={`${base}.maxZoom`}
                  invalid={invalid(`${base}.maxZoom`)}
                  placeholder="all"
                  value={layer.maxZoom}
                  onValue={(maxZoom) => setLayer(i, { maxZoom }, [`${base}.minZoom`, `${base}.maxZoom`])}
                />
              </label>
              <button
                type="button"
                aria-label={`Remove layer ${i + 1}`}
                title="Remove"
                onClick={() => edit({ layers: form.layers.filter((_, j) => j !== i) }, ['params.layers'])}
              >
                ×
              </button>
              {error && (
                <div className="field-error" role="alert">
                  {error}
                </div>
              )}
            </div>
          );
        })}
        <p>
          <button type="button" onClick={() => edit({ layers: [...form.layers, emptyLayer()] }, [])}>
            Add layer
          </button>
        </p>
        <Field group label="Other layers’ attributes" error={errorFor('params.attributes')} help="For layers that do not choose their own.">
          {() => (
            <AttributePicker
              label="Attributes"
              field="params.attributes"
              choice={form.attributes}
              invalid={invalid('params.attributes')}
              onChange={(attributes) => edit({ attributes }, ['params.attributes'])}
            />
          )}
        </Field>
      </fieldset>
      <fieldset>
        <legend>Tiles</legend>
        <ZoomField form={form} edit={edit} errorFor={errorFor} invalid={invalid} />
        {TILE_NUMBERS.map(({ key, ...row }) => {
          const field = `params.${key}`;
          return (
            <NumberField
              key={key}
              {...row}
              field={field}
              value={form[key]}
              onValue={(v) => edit({ [key]: v }, [field])}
              error={errorFor(field)}
              invalid={invalid(field)}
            />
          );
        })}
        <Field
          group
          label="Tile size limit"
          error={errorFor('params.maxTileBytes', 'params.thin')}
          help="A tile over the limit is never dropped or written oversize without a word: it is reported, and thinned if you choose so."
        >
          {(_id, describedBy) => (
            <>
              <div className="choice">
                <NumberInput
                  aria-label="Tile size limit in KiB"
                  field="params.maxTileBytes"
                  describedBy={describedBy}
                  invalid={invalid('params.maxTileBytes')}
                  min={1}
                  step="any"
                  className="short"
                  value={form.maxTileKiB}
                  onValue={(maxTileKiB) => edit({ maxTileKiB }, ['params.maxTileBytes'])}
                />
                <span>KiB</span>
              </div>
              <div className="modes" role="radiogroup" aria-label="Tiles over the limit">
                <label className="mode">
                  <input type="radio" name="thin" data-field="params.thin" checked={!form.thin} onChange={() => edit({ thin: false }, ['params.thin'])} />{' '}
                  <span>report oversized tiles</span>
                </label>
                <label className="mode">
                  <input type="radio" name="thin" checked={form.thin} onChange={() => edit({ thin: true }, ['params.thin'])} />{' '}
                  <span>thin them until they fit (what is dropped is counted)</span>
                </label>
              </div>
            </>
          )}
        </Field>
        {/* A .shp without its .prj fails NO_GEOREFERENCE: its CRS is given here (or by "Retry with CRS…" on the job). */}
        <div data-field="params.assignCrs">
          <CrsPicker
            label="CRS for sources without one"
            value={form.assignCrs === '' ? null : { code: form.assignCrs, name: '', area: null, kind: 'projected' }}
            onPick={(crs) => edit({ assignCrs: crs?.code ?? '' }, ['params.assignCrs'])}
            help="Only for layers that name no CRS (a Shapefile without its .prj); GeoJSON, KML and GPX are lon/lat. Leave empty to have such a source refused."
          />
          {errorFor('params.assignCrs') && <p className="error">{errorFor('params.assignCrs')}</p>}
        </div>
      </fieldset>
    </>
  );
}
