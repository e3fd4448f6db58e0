import { describe, expect, it } from 'vitest';
import { describeError, MAX_ERROR_TEXT } from '../src/describe-error.js';

describe('describeError: any thrown value as bounded text', () => {
  it('gives an Error by its message, or its stack when asked', () => {
    const err = new Error('port in use');
    expect(describeError(err)).toBe('port in use');
    expect(describeError(err, { stack: true })).toMatch(/^Error: port in use\n\s+at /);
  });

  it("gives an SDK's plain error object by its message, anything else as a string", () => {
    expect(describeError({ type: 'invalid_request_error', message: 'Unknown parameter' })).toBe('Unknown parameter');
    expect(describeError({ message: 42 })).toBe('[object Object]');
    expect(describeError('closed')).toBe('closed');
    expect(describeError(404)).toBe('404');
    expect(describeError(undefined)).toBe('undefined');
    expect(describeError(null)).toBe('null');
  });

  it('keeps the first line only when asked', () => {
    expect(describeError(new Error('bad YAML\n  at line 3\n  ^^^'), { firstLine: true })).toBe('bad YAML');
    expect(describeError('one\ntwo')).toBe('one\ntwo');
  });

  it('bounds a message that quotes a whole remote payload', () => {
    const text = describeError(new Error('x'.repeat(MAX_ERROR_TEXT * 5)));
    expect(text.startsWith(`${'x'.repeat(MAX_ERROR_TEXT)}…`)).toBe(true);
    expect(text.endsWith(`(+${MAX_ERROR_TEXT * 4} chars)`)).toBe(true);
  });
});
