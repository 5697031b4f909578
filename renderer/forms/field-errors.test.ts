/** The forms kit's rules: which field an error lands on, and when a form's own errors show. */
import { expect, test } from 'vitest';
import { z } from 'zod';
import { TesseraError, fromSerialized, serializeError } from '../../shared/errors.js';
import {
  errorsFromIssues,
  fieldOf,
  firstError,
  focusFirstInvalid,
  formFailure,
  inGroup,
  serverFieldErrors,
  visibleErrors,
  withoutGroups,
} from './field-errors.js';

test('firstError finds an error inside a group of fields', () => {
  const errors = { 'params.bbox.2': 'Enter a number', 'params.output': 'Output path is empty' };
  expect(firstError(errors, ['params.bbox'])).toEqual({ field: 'params.bbox.2', message: 'Enter a number' });
  expect(firstError(errors, ['params.bbo'])).toBeNull();
  expect(firstError(errors, ['params.minZoom', 'params.output'])?.field).toBe('params.output');
});

test('a group holds its own path and the paths under it, not a longer name', () => {
  expect(inGroup('params.bbox', 'params.bbox')).toBe(true);
  expect(inGroup('params.bbox.3', 'params.bbox')).toBe(true);
  expect(inGroup('params.bboxes', 'params.bbox')).toBe(false);
  expect(withoutGroups({ 'params.bbox.1': 'a', 'params.output': 'b', params: 'c' }, ['params.bbox'])).toEqual({ 'params.output': 'b', params: 'c' });
});

test('zod issues become one message per field, the first issue at a field winning', () => {
  const schema = z.object({ a: z.number().min(1), b: z.array(z.string().min(1)) }).strict();
  const result = schema.safeParse({ a: 0, b: ['x', ''], c: 1 });
  expect(result.success).toBe(false);
  const errors = errorsFromIssues(result.error!.issues, (issue) => ({ field: fieldOf(issue.path), message: issue.code }));
  expect(errors).toEqual({ a: 'too_small', 'b.1': 'too_small', '(input)': 'unrecognized_keys' });
});

test('the engine’s BAD_INPUT, as it crosses the wire, lands on the fields it names', () => {
  const refusal = new TesseraError('BAD_INPUT', 'settings.update: maxRunningJobs: too big', {
    details: {
      request: 'settings.update',
      issues: [
        { field: 'maxRunningJobs', message: 'Too big: expected number to be <=64' },
        { field: 'dataRoots.1', message: 'must be an absolute folder path' },
        { field: 'maxRunningJobs', message: 'a second word' },
      ],
    },
  });
  const wire = fromSerialized(serializeError(refusal));
  expect(serverFieldErrors(wire)).toEqual({ maxRunningJobs: 'Too big: expected number to be <=64', 'dataRoots.1': 'must be an absolute folder path' });
  expect(formFailure(wire)).toBeNull();
  // Any other failure is no field's: it is said beside the form.
  const other = fromSerialized(serializeError(new TesseraError('IO_ERROR', 'disk on fire')));
  expect(serverFieldErrors(other)).toBeNull();
  expect(formFailure(other)).toBe(other);
  // A BAD_INPUT that names no field is no field's either.
  expect(serverFieldErrors(new TesseraError('BAD_INPUT', 'no', { details: { issues: [] } }))).toBeNull();
});

test('a form’s own errors show once their field is touched, or all of them once a submit was tried', () => {
  const client = { 'params.minZoom': 'Required', 'params.bbox.2': 'Enter a number', name: 'Too long' };
  expect(visibleErrors({ client, touched: new Set(), tried: false })).toEqual({});
  // Touching a group shows the errors inside it; touching a part shows the error at its group.
  expect(visibleErrors({ client, touched: new Set(['params.bbox']), tried: false })).toEqual({ 'params.bbox.2': 'Enter a number' });
  expect(visibleErrors({ client: { 'params.bbox': 'West must be less than east' }, touched: new Set(['params.bbox.0']), tried: false })).toEqual({
    'params.bbox': 'West must be less than east',
  });
  expect(visibleErrors({ client, touched: new Set(), tried: true })).toEqual(client);
});

test('the engine’s errors show untouched, and a later word wins at a field', () => {
  const client = { 'params.output': 'Required' };
  const estimate = { 'params.datasets.0': 'not found' };
  const start = { 'params.datasets.0': 'still not found', priority: 'too high' };
  expect(visibleErrors({ client, touched: new Set(), tried: false, engine: [estimate, start] })).toEqual({
    'params.datasets.0': 'still not found',
    priority: 'too high',
  });
});

test('focus goes to the first control in the page with an error, not the first error found', () => {
  const form = document.createElement('form');
  form.innerHTML = '<input data-field="name"><input data-field="params.bbox.0"><input data-field="params.bbox.1"><input data-field="priority">';
  document.body.append(form);
  expect(focusFirstInvalid(form, { priority: 'too high', 'params.bbox': 'West must be less than east' })).toBe(true);
  expect(document.activeElement).toBe(form.querySelector('[data-field="params.bbox.0"]'));
  expect(focusFirstInvalid(form, { other: 'x' })).toBe(false);
  form.remove();
});
