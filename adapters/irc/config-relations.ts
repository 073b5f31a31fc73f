/**
 * Issue 17: how the IRC adapter writes what IRC has no command for (docs/adapters/irc.md "Edits,
 * deletions and reactions"): edits as one correction line, deletions and reactions on servers
 * without `draft/message-redaction` or message-tags. Part of the `type: irc` section
 * (config.ts), network-wide with a per-channel override of each policy.
 */
import { z } from 'zod';
import { configFields } from '../../src/index.js';

const { positiveInt } = configFields;

export const editPolicy = z.enum(['fallback', 'drop']);
export const deletionPolicy = z.enum(['drop', 'text']);
export const reactionPolicy = z.enum(['drop', 'text']);

/** The per-channel overrides (channels[].edits, .deletions, .reactions). */
export const channelRelationFields = {
  edits: editPolicy.optional().describe("this channel's edit policy (default: the network's `edits.policy`)"),
  deletions: deletionPolicy
    .optional()
    .describe("this channel's deletion policy on servers without REDACT (default: the network's)"),
  reactions: reactionPolicy
    .optional()
    .describe("this channel's reaction policy on servers without message-tags (default: the network's)"),
};

export const relationFields = {
  edits: z
    .strictObject({
      policy: editPolicy
        .prefault('fallback')
        .describe(
          '`fallback`: an edit goes as one correction line (`s/old/new/`, `* new text`, or only the appended text); `drop`: edits are not sent (answered `ok` + `Irc-Clipped`)',
        ),
      maxKept: positiveInt
        .prefault(10_000)
        .describe('messages whose text is kept (in the store) to write the correction of a later edit'),
      maxKeptChars: positiveInt.prefault(1000).describe('characters of each kept text'),
      sedShare: z
        .number()
        .gt(0)
        .max(1)
        .prefault(0.4)
        .describe('the `s/old/new/` form only when the changed words are at most this share of the line'),
    })
    .prefault({})
    .describe('edits (`Msg.Replaces`): IRC has no edit command (docs/adapters/irc.md)'),
  deletions: deletionPolicy
    .prefault('drop')
    .describe(
      'a deletion where the server has no `draft/message-redaction`: `drop` (answered `ok` + `Irc-Clipped`) or `text` (a line `* nick deleted a message`)',
    ),
  reactions: z
    .strictObject({
      plain: reactionPolicy
        .prefault('drop')
        .describe(
          'a reaction where IRC cannot carry it as a tag: `drop` (answered `ok` + `Irc-Clipped`) or `text` (a line `* nick reacted 👍 to othernick: "snippet"`)',
        ),
      mergeMs: positiveInt
        .prefault(2000)
        .describe('`text`: reactions to one channel within this time become one line'),
      maxLinesPerMinute: positiveInt
        .prefault(6)
        .describe('`text`: reaction lines per channel per minute at most (more are dropped)'),
      maxWaiting: positiveInt
        .prefault(64)
        .describe(
          '`text`: reactions waiting per channel within one merge window (more are answered `ok` + `Irc-Clipped`)',
        ),
    })
    .prefault({})
    .describe('reactions on servers without message-tags'),
};
