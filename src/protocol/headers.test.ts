import { describe, expect, it } from 'vitest';
import { HubError } from '../errors.js';
import {
  addHeader,
  getHeader,
  getHeaders,
  removeHeader,
  requireHeader,
  setHeader,
  type Headers,
} from './index.js';

// draft §10: order and duplicates are kept; a repeated non-repeatable header counts with its first value.
const H: Headers = [
  ['Inbox', 'im:a@d.example'],
  ['X-Unknown', '1'],
  ['Inbox', 'im:b@d.example'],
];

describe('header lists (draft §10)', () => {
  it('reads the first value, every value, or requires one', () => {
    expect(getHeader(H, 'Inbox')).toBe('im:a@d.example');
    expect(getHeader(H, 'inbox')).toBeUndefined();
    expect(getHeaders(H, 'Inbox')).toEqual(['im:a@d.example', 'im:b@d.example']);
    expect(requireHeader(H, 'X-Unknown')).toBe('1');
    expect(() => requireHeader(H, 'Sender')).toThrow(HubError);
    expect(() => requireHeader(H, 'Sender')).toThrow('a Sender header is required');
  });

  it('builds copies and never changes the list it got', () => {
    const before = H.map((h) => [...h]);
    expect(addHeader(H, 'Inbox', 'im:c@d.example').slice(3)).toEqual([['Inbox', 'im:c@d.example']]);
    expect(setHeader(H, 'Inbox', 'im:z@d.example')).toEqual([
      ['Inbox', 'im:z@d.example'],
      ['X-Unknown', '1'],
    ]);
    expect(setHeader(H, 'Visited', 'a.example')).toEqual([...H, ['Visited', 'a.example']]);
    expect(removeHeader(H, 'Inbox')).toEqual([['X-Unknown', '1']]);
    expect(H.map((h) => [...h])).toEqual(before);
  });
});
