/**
 * PIDF inputs for the codec's tests (src/codec/pidf): the shipped vectors with their expected
 * reports, the inputs written for the vectors docs/cpim.md part 6 describes but does not ship, and
 * small documents built around a body.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { expect } from 'vitest';
import { CodecError } from '../../src/errors.js';
import { parsePidf, PIDF_NS } from '../../src/codec/pidf/index.js';

const VECTOR_DIR = new URL('../fixtures/vectors/', import.meta.url);

export interface Vector {
  readonly name: string;
  readonly bytes: Uint8Array;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly expected: any;
}

export function pidfVectors(): Vector[] {
  return readdirSync(VECTOR_DIR)
    .filter((f) => /^pidf-\d+.*\.xml$/.test(f))
    .sort()
    .map((f) => ({
      name: f.replace(/\.xml$/, ''),
      bytes: new Uint8Array(readFileSync(new URL(f, VECTOR_DIR))),
      expected: JSON.parse(
        readFileSync(new URL(`expected-${f.replace(/\.xml$/, '.json')}`, VECTOR_DIR), 'utf8'),
      ),
    }));
}

export const enc = (s: string) => new TextEncoder().encode(s);
export const DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** Inputs written for the vectors docs/cpim.md part 6 describes but does not ship. */
export const OWN_INPUTS: Record<string, Uint8Array> = {
  // 06: RFC 3863 4.3.3, mustUnderstand inside a tuple-level extension.
  'pidf-06-must-understand': enc(`${DECL}<impp:presence xmlns:impp="urn:ietf:params:xml:ns:pidf"
    xmlns:myex="http://id.mycompany.com/presence/"
    entity="pres:someone@example.com">
  <impp:tuple id="tj25ds">
    <impp:status>
      <impp:basic>open</impp:basic>
    </impp:status>
    <myex:complexExtension>
      <myex:ex1 impp:mustUnderstand="1">val1</myex:ex1>
      <myex:ex2>val2</myex:ex2>
    </myex:complexExtension>
    <impp:contact priority="0.725">tel:+09012345678</impp:contact>
  </impp:tuple>
  <myex:mytag>My extended presentity information</myex:mytag>
</impp:presence>
`),
  // 09: RFC 3922 show/status mapping (<show/> as im:im, <status/> as note).
  'pidf-09-xmpp-show-status': enc(`${DECL}<presence xmlns="urn:ietf:params:xml:ns:pidf"
    xmlns:im="urn:ietf:params:xml:ns:pidf:im" entity="pres:juliet@example.com">
  <tuple id="balcony">
    <status><basic>open</basic><im:im>away</im:im></status>
    <note xml:lang="en">retired to the chamber</note>
    <timestamp>2003-06-18T12:27:00Z</timestamp>
  </tuple>
</presence>
`),
  // 14: upper-case basic.
  'pidf-14-basic-uppercase':
    enc(`${DECL}<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="pres:someone@example.com">
  <tuple id="t1"><status><basic>OPEN</basic></status></tuple>
</presence>
`),
  // 17: a tuple id taken from an XMPP resource (not an NCName).
  'pidf-17-xmpp-resource-id':
    enc(`${DECL}<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="pres:juliet@example.com">
  <tuple id="Home Laptop/2"><status><basic>open</basic></status></tuple>
</presence>
`),
  // 22: a sip: entity, as SIMPLE servers send.
  'pidf-22-sip-entity':
    enc(`${DECL}<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:someone@example.com">
  <tuple id="t1"><status><basic>closed</basic></status></tuple>
</presence>
`),
};

export const VECTORS = pidfVectors();
export const ALL_INPUTS: [string, Uint8Array][] = [
  ...VECTORS.map((v): [string, Uint8Array] => [v.name, v.bytes]),
  ...Object.entries(OWN_INPUTS),
];

/** One of OWN_INPUTS, by name. */
export function own(name: string): Uint8Array {
  return OWN_INPUTS[name]!;
}

/** A PIDF document with `body` inside its root; T is one minimal tuple. */
export const doc = (body: string, root = `<presence xmlns="${PIDF_NS}" entity="pres:a@example.com">`) =>
  enc(`<?xml version="1.0" encoding="UTF-8"?>\n${root}\n${body}\n</presence>\n`);
export const T = '<tuple id="t1"><status><basic>open</basic></status></tuple>';

/** Expects parsePidf to refuse `bytes` with `reason`; returns the error. */
export function rejects(bytes: Uint8Array, reason: RegExp | string, lenient = false): CodecError {
  try {
    parsePidf(bytes, { lenient });
  } catch (e) {
    expect(e).toBeInstanceOf(CodecError);
    const err = e as CodecError;
    if (typeof reason === 'string') expect(err.reason).toBe(reason);
    else expect(err.reason).toMatch(reason);
    return err;
  }
  throw new Error('expected a rejection');
}
