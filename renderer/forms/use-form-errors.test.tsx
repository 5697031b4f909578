/** The forms kit's hook: touched, tried and the engine's refusals, as a form uses them. */
import { act } from 'react';
import { afterEach, expect, test } from 'vitest';
import { TesseraError } from '../../shared/errors.js';
import { type Mounted, mount } from '../testing/mount.js';
import { type FormErrors, useFormErrors } from './use-form-errors.js';

let m: Mounted | undefined;
afterEach(async () => {
  await m?.unmount();
  m = undefined;
});

const CLIENT = { 'params.minZoom': 'Required', 'params.bbox.1': 'Enter a number', url: 'Enter a URL' };

/** The error state of the last render of Probe. */
let latest: FormErrors | null = null;

function Probe() {
  latest = useFormErrors(CLIENT);
  return null;
}

/** Mounts a form's error state; `run` acts on it as the form's handlers would. */
async function form(): Promise<{ errors: () => FormErrors; run: (f: (e: FormErrors) => void) => Promise<void> }> {
  latest = null;
  m = await mount(<Probe />, {});
  const errors = () => {
    if (latest === null) throw new Error('not rendered');
    return latest;
  };
  return { errors, run: async (f) => act(async () => f(errors())) };
}

test('nothing shows on an untouched form; an edited field shows its own error at once, all show once a submit was tried', async () => {
  const { errors, run } = await form();
  expect(errors().visible).toEqual({});
  await run((e) => e.edited(['params.bbox']));
  expect(errors().visible).toEqual({ 'params.bbox.1': 'Enter a number' });
  expect(errors().errorFor('params.bbox')).toBe('Enter a number');
  expect(errors().invalid('params.bbox.1')).toBe(true);
  expect(errors().invalid('params.minZoom')).toBe(false);
  await run((e) => e.submitted());
  expect(errors().visible).toEqual(CLIENT);
  expect(errors().tried).toBe(true);
  await run((e) => e.reset());
  expect(errors().visible).toEqual({});
});

test('a field changed but not yet left keeps its own error to itself until it is left', async () => {
  const { errors, run } = await form();
  await run((e) => e.changed(['url']));
  expect(errors().errorFor('url')).toBeUndefined();
  await run((e) => e.left(['url']));
  expect(errors().errorFor('url')).toBe('Enter a URL');
});

test('the engine’s refusal lands on the fields it names and stays until that field is edited', async () => {
  const { errors, run } = await form();
  const refusal = new TesseraError('BAD_INPUT', 'jobs.start: …', {
    details: {
      issues: [
        { field: 'params.output', message: 'not inside a data root' },
        { field: 'priority', message: 'too high' },
      ],
    },
  });
  await run((e) => e.rejected(refusal));
  expect(errors().errorFor('params.output')).toBe('not inside a data root');
  expect(errors().errorFor('priority')).toBe('too high');
  // Editing another field leaves it; editing it (or its group) drops it.
  await run((e) => e.edited(['params.bbox']));
  expect(errors().errorFor('params.output')).toBe('not inside a data root');
  await run((e) => e.edited(['params.output']));
  expect(errors().errorFor('params.output')).toBeUndefined();
  expect(errors().errorFor('priority')).toBe('too high');
  // Any other failure is no field's.
  await run((e) => e.rejected(new TesseraError('IO_ERROR', 'disk on fire')));
  expect(errors().server).toEqual({});
});
