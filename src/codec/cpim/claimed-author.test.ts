import { describe, expect, it } from 'vitest';
import { claimedAuthorNote, shownAuthor } from './claimed-author.js';

describe('claimed author (inner CPIM From against the authenticated source)', () => {
  it('is no note when the From names the author, after normalization, or is absent', () => {
    expect(claimedAuthorNote('im:alice@localhost', 'im:alice@localhost', 'Alice')).toBeNull();
    expect(claimedAuthorNote('im:alice@localhost', 'im:alice@LOCALHOST', 'Alice')).toBeNull();
    expect(claimedAuthorNote('im:alice@localhost', undefined)).toBeNull();
  });

  it('names the claim after the real author when the From differs', () => {
    const note = claimedAuthorNote('im:alice@localhost', 'im:bob@localhost', 'Bob');
    expect(note).toBe('(as "Bob")');
    expect(shownAuthor('alice', note)).toBe('alice (as "Bob")');
    expect(claimedAuthorNote('im:alice@localhost', 'im:bob@localhost', null)).toBe('(as <im:bob@localhost>)');
    expect(shownAuthor('alice', null)).toBe('alice');
  });
});
