/** The data model of Hudson's `application/presence` documents (draft-hudson-impp-pidf-proposal-01 5). */
import type { CodecWarning } from '../../errors.js';

export type PresenceStatus = 'open' | 'closed' | 'deferred';

/** A variable the reader does not interpret (namespaced or unknown), kept with its subtree. */
export interface PresenceExtension {
  /** Namespace URL of a `prefix:name` variable; null for an unprefixed one. */
  readonly namespace: string | null;
  /** Name without the prefix. */
  readonly name: string;
  readonly value: string | null;
  readonly children: readonly PresenceExtension[];
}

export interface PresenceContact {
  readonly url: string;
  readonly status: PresenceStatus | null;
  readonly capabilities: string | null;
  readonly preference: number | null;
  readonly extensions: readonly PresenceExtension[];
}

export interface PresenceDocument {
  readonly presentity: string | null;
  /** RFC 822 date as written; checked and converted by presence-map.ts (`rfc822ToRfc3339`). */
  readonly date: string | null;
  readonly contacts: readonly PresenceContact[];
  readonly extensions: readonly PresenceExtension[];
}

/** A rule a sender broke that still leaves the document usable. */
export type PresenceWarning = CodecWarning;

export interface PresenceTextResult {
  readonly document: PresenceDocument;
  readonly warnings: readonly PresenceWarning[];
}

export interface PresenceTextOptions {
  /** Undeclared prefixes and bad escapes become warnings instead of errors. */
  readonly lenient?: boolean;
  /** Deepest subtree nesting accepted (default `PRESENCE_TEXT_MAX_DEPTH`). */
  readonly maxDepth?: number;
}

/**
 * Default subtree nesting limit (issue 13 hardening). The drafts need two levels (a contact's
 * subtree, an extension's children); extensions may nest, but not without end.
 */
export const PRESENCE_TEXT_MAX_DEPTH = 32;
export const DEPTH_RULE = 'hardening: nesting limit (issue 13)';

/** Rules named in errors (draft-hudson-impp-pidf-proposal-01 sections 4, 5, 6). */
export const RULE = 'draft-hudson-impp-pidf-proposal-01 4';
export const SEM_RULE = 'draft-hudson-impp-pidf-proposal-01 5';
export const NS_RULE = 'draft-hudson-impp-pidf-proposal-01 6';

export interface PresenceContactInput {
  readonly url: string;
  readonly status?: PresenceStatus | null;
  readonly capabilities?: string | null;
  readonly preference?: number | null;
  readonly extensions?: readonly PresenceExtension[];
}

export interface PresenceDocumentInput {
  readonly presentity?: string | null;
  readonly date?: string | null;
  readonly contacts?: readonly PresenceContactInput[];
  readonly extensions?: readonly PresenceExtension[];
}
