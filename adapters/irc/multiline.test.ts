import { describe, expect, it } from 'vitest';
import { joinBatch, multilineBatch, multilineOpener, unescapeTagValue } from './multiline.js';

describe('draft/multiline (issue 17)', () => {
  it('builds one batch within max-bytes and max-lines, else none', () => {
    const lim = { maxBytes: 40, maxLines: 3 };
    const b = multilineBatch(lim, '#dev', '<carol> ', 'one\ntwo', 400)!;
    expect(b[0]).toMatch(/^BATCH \+(\S+) draft\/multiline #dev$/);
    const ref = b[0]!.split(' ')[1]!.slice(1);
    expect(b.slice(1)).toEqual([
      `@batch=${ref} PRIVMSG #dev :<carol> one`,
      `@batch=${ref} PRIVMSG #dev :two`,
      `BATCH -${ref}`,
    ]);
    // One line needs no batch; over max-lines or max-bytes, the lines go as before.
    expect(multilineBatch(lim, '#dev', '', 'one', 400)).toBeNull();
    expect(multilineBatch(lim, '#dev', '', 'a\nb\nc\nd', 400)).toBeNull();
    expect(multilineBatch(lim, '#dev', '', 'x'.repeat(30) + '\n' + 'y'.repeat(30), 400)).toBeNull();
    expect(multilineBatch(null, '#dev', '', 'a\nb', 400)).toBeNull();
    // A line cut for the budget continues with draft/multiline-concat.
    const cut = multilineBatch({ maxBytes: 4096, maxLines: null }, '#dev', '', 'abcdefgh', 4)!;
    expect(cut.slice(1, 3).map((l) => l.split(' ')[0]!.includes('draft/multiline-concat'))).toEqual([
      false,
      true,
    ]);
  });

  it('reads a delivered batch as one text, and its opener tags', () => {
    expect(
      joinBatch([
        { message: 'first' },
        { message: ' more', tags: { 'draft/multiline-concat': '' } },
        { message: 'second' },
      ]),
    ).toBe('first more\nsecond');
    expect(multilineOpener('@msgid=a\\sb;+draft/reply=x :d!d@h BATCH +r1 draft/multiline #dev')).toEqual({
      ref: 'r1',
      tags: { msgid: 'a b', '+draft/reply': 'x' },
    });
    expect(multilineOpener('@label=1 :s BATCH +r2 labeled-response')).toBeNull();
    expect(unescapeTagValue('a\\:b\\\\c\\sd')).toBe('a;b\\c d');
  });
});
