/**
 * The IRC adapter with the core codec's seam (adapters/irc/ircv3.ts IrcRelationHooks) played by
 * the tests: a send's relation is read from the IMTP extension header `Test-Relation`
 * (`reply <gateway id>`, `react <gateway id> <key>`), and the relations of inbound lines are
 * recorded in `seen`. Issue 17's IRC tests (irc-ircv3.test.ts on InspIRCd, irc-bridge.test.ts on
 * ngircd) use it to drive the adapter's side alone; the shipped adapter's hooks are the core
 * codec's (adapters/irc/codec-relations.ts, irc-ircv3-codec.test.ts).
 */
import { ircAdapter } from '../../adapters/irc/index.js';
import { IrcAdapter } from '../../adapters/irc/irc-adapter.js';
import type { IrcRelations } from '../../adapters/irc/relations.js';
import type { AdapterDefinition } from '../../src/adapter.js';
import type { CommandFrame } from '../../src/hub/frame/index.js';
import { getHeader } from '../../src/index.js';

/** A delivered command's payload as text. */
export const payloadText = (c: CommandFrame) => Buffer.from(c.payload ?? []).toString('utf8');

/** `Test-Relation: reply <id>` / `react <id> <key>` on a send; what inbound lines carried. */
export function hookedIrcAdapter(seen: IrcRelations[], adapters: IrcAdapter[]): AdapterDefinition<never> {
  return {
    ...ircAdapter,
    create: (config: never, ctx: never) => {
      const a = new IrcAdapter(config as never, ctx, {
        relationsOf: (op) => {
          const v = getHeader(op.headers, 'Test-Relation');
          if (v === undefined) return undefined;
          const [kind, id, key] = v.split(' ');
          return kind === 'reply' ? { replyTo: id! } : { reaction: { op: 'add', target: id!, key: key! } };
        },
        withRelations: (payload, r) => {
          seen.push(r);
          return payload;
        },
      });
      adapters.push(a);
      return a;
    },
  } as never;
}
