import { describe, expect, it } from 'vitest';
import { parseStrength, receivedStrength, relayedStrength, strengthRank, weaker } from './index.js';

describe('Astrength (draft §11.4)', () => {
  it('parses the four values, any case (part 4 row 11)', () => {
    expect(['strong', 'Medium', 'WEAK', 'none', 'fair'].map(parseStrength)).toEqual([
      'strong',
      'medium',
      'weak',
      'none',
      null,
    ]);
  });
  it('absent means strong; the relay sends the weaker (part 3 row 28)', () => {
    expect(receivedStrength([])).toBe('strong');
    expect(receivedStrength([['AStrength', 'Medium']])).toBe('medium');
    expect(receivedStrength([['Astrength', 'bogus']])).toBeNull();
    expect(relayedStrength('weak', [])).toBe('weak');
    expect(relayedStrength('strong', [['Astrength', 'none']])).toBe('none');
    expect(relayedStrength('strong', [['Astrength', 'bogus']])).toBe('none');
    expect(weaker('medium', 'strong')).toBe('medium');
  });
});

describe('Astrength order', () => {
  it('ranks none < weak < medium < strong; weaker picks the lower', () => {
    expect((['strong', 'none', 'medium', 'weak'] as const).map(strengthRank)).toEqual([3, 0, 2, 1]);
    expect(weaker('strong', 'weak')).toBe('weak');
    expect(weaker('none', 'none')).toBe('none');
  });
  it('takes the value as given: untrimmed text is no Astrength', () => {
    expect(parseStrength(' weak')).toBeNull();
  });
});
