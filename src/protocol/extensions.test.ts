import { describe, expect, it } from 'vitest';
import { isMessageId, MESSAGE_ID_MAX } from './extensions.js';

describe('isMessageId', () => {
  it('accepts base64url ids, UUIDs and mail msg-ids without brackets', () => {
    expect(isMessageId('q1w2e3r4t5y6u7i8o9p0AA')).toBe(true);
    expect(isMessageId('f47ac10b-58cc-4372-a567-0e02b2c3d479')).toBe(true);
    expect(isMessageId('abc.123@mail.example.org')).toBe(true);
    expect(isMessageId('x'.repeat(MESSAGE_ID_MAX))).toBe(true);
  });

  it('refuses empty, over-long and ids with spaces, brackets or controls', () => {
    expect(isMessageId('')).toBe(false);
    expect(isMessageId('x'.repeat(MESSAGE_ID_MAX + 1))).toBe(false);
    expect(isMessageId('a b')).toBe(false);
    expect(isMessageId('<a@b>')).toBe(false);
    expect(isMessageId('a\u0000b')).toBe(false);
    expect(isMessageId('é')).toBe(false);
  });
});
