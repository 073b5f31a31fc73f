// One saxes parser serves document after document (parse.ts SaxHost, issue 18): a document that
// fails part-way must not leave anything for the next one, and parsers used at the same time
// must not share one.
import { describe, expect, it } from 'vitest';
import { buildPidf, createPidfParser, parsePidf } from './index.js';

const good = Buffer.from(
  buildPidf({
    entity: 'pres:alice@gw.test',
    tuples: [{ id: 't1', basic: 'open', contact: 'im:alice@gw.test', notes: [{ lang: 'en', text: 'here' }] }],
  }),
);
const expected = parsePidf(good);

const broken = [
  // Fails inside an element, deep in saxes' state.
  '<?xml version="1.0" encoding="UTF-8"?>\n<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="pres:a@b"><tuple id="x"><status><basic>op',
  // Fails in a handler (no entity attribute), saxes mid-tag.
  '<?xml version="1.0" encoding="UTF-8"?>\n<presence xmlns="urn:ietf:params:xml:ns:pidf"><tuple',
  // Fails in saxes itself (not well-formed) with text pending.
  '<?xml version="1.0" encoding="UTF-8"?>\n<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="pres:a@b">text & more',
  // Refused DOCTYPE.
  '<?xml version="1.0"?><!DOCTYPE presence [<!ENTITY a "b">]><presence/>',
];

describe('PIDF parses do not leak into each other', () => {
  it('a document after a failed one parses as on its own', () => {
    for (const doc of broken) {
      expect(() => parsePidf(Buffer.from(doc))).toThrow();
      expect(parsePidf(good)).toEqual(expected);
    }
  });

  it('two incremental parsers fed in turn each get their own document', () => {
    const other = Buffer.from(
      buildPidf({ entity: 'pres:bob@gw.test', tuples: [{ id: 'b1', basic: 'closed' }] }),
    );
    const a = createPidfParser();
    const b = createPidfParser();
    for (let i = 0; i < Math.max(good.length, other.length); i += 7) {
      if (i < good.length) a.write(good.subarray(i, i + 7));
      if (i < other.length) b.write(other.subarray(i, i + 7));
    }
    expect(a.end()).toEqual(expected);
    expect(b.end().document.entity).toBe('pres:bob@gw.test');
    // And a one-shot parse in the middle of an unfinished incremental one.
    const c = createPidfParser();
    c.write(good.subarray(0, 50));
    expect(parsePidf(other).document.tuples[0]!.id).toBe('b1');
    c.write(good.subarray(50));
    expect(c.end()).toEqual(expected);
  });
});
