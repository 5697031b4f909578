/** Where the tiles go and the job that makes them: the output path (and what format it means), its title, the job's name and priority. */
import { Field } from '../forms/field.js';
import { FieldInput, NumberField, TextField } from '../forms/inputs.js';
import { type CommonForm, OUTPUT_KIND_LABELS, outputKindOf } from './preseed-form.js';
import { PATHS_LIST, type PartProps } from './preseed-parts.js';
import { BrowseButton } from '../forms/browse-button.js';

/** `output`: the path the form stands for (typed, or the default); `dataDir` undefined while it loads. */
export function OutputFields({ form, edit, errorFor, output, dataDir }: PartProps<CommonForm> & { output: string; dataDir: string | undefined }) {
  const outputKind = outputKindOf(output);
  return (
    <fieldset>
      <legend>Output</legend>
      <Field
        label="Output"
        error={errorFor('params.output')}
        help={
          <>
            <span data-testid="output-kind">Makes: {OUTPUT_KIND_LABELS[outputKind]}</span>. <code>.mbtiles</code> or <code>.pmtiles</code> picks that format;
            any other path is a tile folder.
            {form.output === null ? ' The default is in the data directory’s caches folder, named after the first dataset.' : ''}
          </>
        }
      >
        {(id, describedBy, bad) => (
          <div className="path-row">
            <FieldInput
              id={id}
              field="params.output"
              describedBy={describedBy}
              invalid={bad}
              className="wide"
              list={PATHS_LIST}
              spellCheck={false}
              value={output}
              placeholder={dataDir === undefined ? 'loading the data directory…' : undefined}
              onValue={(v) => edit({ output: v }, ['params.output'])}
            />
            <BrowseButton purpose="output" current={output} onPick={([v]) => edit({ output: v! }, ['params.output'])} />
            {form.output !== null && (
              <button type="button" onClick={() => edit({ output: null }, ['params.output'])}>
                Use the default
              </button>
            )}
          </div>
        )}
      </Field>
      <TextField
        label="Title"
        error={errorFor('params.title')}
        help="The tileset’s name in the output’s metadata; the file’s name when empty."
        field="params.title"
        value={form.title}
        onValue={(title) => edit({ title }, ['params.title'])}
      />
    </fieldset>
  );
}

export function JobFields({ form, edit, errorFor }: PartProps<CommonForm>) {
  return (
    <fieldset>
      <legend>Job</legend>
      <TextField
        label="Name"
        error={errorFor('name')}
        help="How the job shows in the queue; named after the output when empty."
        field="name"
        value={form.name}
        onValue={(name) => edit({ name }, ['name'])}
      />
      <NumberField
        label="Priority"
        error={errorFor('priority')}
        help="−10 to 10; higher starts first among queued jobs."
        field="priority"
        min={-10}
        max={10}
        value={form.priority}
        onValue={(priority) => edit({ priority }, ['priority'])}
      />
    </fieldset>
  );
}
