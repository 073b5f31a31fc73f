/** For tests of what a codec refuses: the CodecError that `f` throws (any other outcome fails). */
import { expect } from 'vitest';
import { CodecError } from '../../src/errors.js';

export function codecError(f: () => unknown): CodecError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CodecError);
    return e as CodecError;
  }
  throw new Error('expected a CodecError, nothing was thrown');
}
