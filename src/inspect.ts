/**
 * What `cpim-gateway inspect` prints: a parsed document as JSON whose field names are those of
 * the expected-result files in test/fixtures/vectors, so a user can diff one against the other.
 */
import { inspectCpim } from './codec/cpim/index.js';
import { inspectPidf } from './codec/pidf/index.js';
import { inspectPresenceText } from './codec/presence-map.js';

export const DOCUMENT_TYPES = ['cpim', 'pidf', 'presence'] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

export interface InspectReport {
  readonly type: DocumentType;
  readonly result: string;
  readonly reason?: string;
  readonly rule?: string;
  /** For `policy` results: what the gateway decides. */
  readonly decision?: string;
  readonly [field: string]: unknown;
}

/**
 * Guesses the type from the first octets: XML is PIDF; `name = ...` is Hudson's
 * application/presence (draft-hudson-impp-pidf-proposal-01 §3); anything else is Message/CPIM.
 */
export function detectType(bytes: Uint8Array): DocumentType {
  const head = Buffer.from(bytes.subarray(0, 256))
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart();
  if (head.startsWith('<')) return 'pidf';
  if (/^[A-Za-z][A-Za-z0-9:-]*[ \t]*=/.test(head)) return 'presence';
  return 'cpim';
}

export function inspectDocument(
  bytes: Uint8Array,
  type: DocumentType,
  options: { lenient: boolean },
): InspectReport {
  switch (type) {
    case 'cpim': {
      // A file may start at the outer MIME header (as the vectors do) or at the CPIM headers
      // (as an IMTP payload of type message/cpim does).
      const startsWith = /^content-type:[ \t]*message\/cpim/i.test(
        Buffer.from(bytes.subarray(0, 64)).toString('latin1'),
      )
        ? 'mime-headers'
        : 'cpim-headers';
      return { type, ...inspectCpim(bytes, { lenient: options.lenient, startsWith }) };
    }
    case 'pidf':
      return { type, ...inspectPidf(bytes, { lenient: options.lenient }) };
    case 'presence':
      return { type, ...inspectPresenceText(bytes, { lenient: options.lenient }) };
  }
}
