import { describe, expect, it } from 'vitest';
import { editLine } from './edit-line.js';

describe('editLine (issue 17: an edit as one IRC correction line)', () => {
  it('sends nothing when the visible text did not change', () => {
    expect(editLine('hello there', 'hello there')).toEqual({ kind: 'same' });
    expect(editLine('hello there', 'hello there  ')).toEqual({ kind: 'same' });
  });

  it('sends only the appended text when the edit appends', () => {
    expect(editLine('meet at 5', 'meet at 5 in room B')).toEqual({
      kind: 'line',
      form: 'append',
      text: 'in room B',
    });
  });

  it('writes s/old/new/ for one small change of whole words', () => {
    expect(editLine('the meeting is on tuesday at noon', 'the meeting is on wednesday at noon')).toEqual({
      kind: 'line',
      form: 'sed',
      text: 's/tuesday/wednesday/',
    });
    expect(editLine('I think teh plan works', 'I think the plan works')).toMatchObject({
      text: 's/teh/the/',
    });
    // Slashes in the words are escaped.
    expect(editLine('see a/b for details today', 'see a/c for details today')).toMatchObject({
      text: 's/a\\/b/a\\/c/',
    });
  });

  it('writes `* new text` when the change is over 40 % of the line, scattered, ambiguous or unknown', () => {
    expect(editLine('hi all', 'goodbye everyone')).toEqual({
      kind: 'line',
      form: 'star',
      text: '* goodbye everyone',
    });
    // Two changes far apart make one span over the share.
    expect(editLine('one two three four five', 'uno two three four cinco').kind === 'line').toBe(true);
    expect(editLine('one two three four five', 'uno two three four cinco')).toMatchObject({ form: 'star' });
    // The old word is found earlier in the line: s/a/b/ would change the wrong one.
    expect(editLine('cat sat on the cat mat today ok', 'cat sat on the dog mat today ok')).toMatchObject({
      form: 'star',
    });
    // The original is not known (forgotten, or from before the record).
    expect(editLine(undefined, 'new text')).toMatchObject({ form: 'star', text: '* new text' });
    // A pure insertion in the middle takes the next word as its anchor: s/d/x d/.
    expect(editLine('a b c d e f g h', 'a b c x d e f g h')).toMatchObject({ text: 's/d/x d/' });
  });

  it('honours the share', () => {
    expect(editLine('one two', 'one three', 0.4)).toMatchObject({ form: 'star' });
    expect(editLine('one two', 'one three', 0.9)).toMatchObject({ form: 'sed', text: 's/two/three/' });
  });
});
