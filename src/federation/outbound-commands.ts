/**
 * Commands the far side sends on a link *we* opened (docs/hub-protocol.md part 4 row 13).
 *
 * Only the initiator authenticates (draft §6.4, §14.1), so on our outbound link we do not know
 * which domain the acceptor speaks for and §8.1 cannot be applied to its commands. Decision: the
 * peer must send its commands on a connection it opens and authenticates itself; commands on
 * ours are refused without being looked at:
 * - a method with a source header (§12 table) → `source-authorization` ("authenticate first",
 *   part 4 row 10);
 * - terminate-notify (no source) → `not-subscribed`, as the router answers a notify whose sender
 *   may not speak for the presentity;
 * - anything else (fetch-/subscribe-/unsubscribe-notify, unknown methods) → `unknown-method`,
 *   as §14.2 has a server answer what only clients take.
 * `shutdown` (§14.2) is the exception: it is the acceptor's to send; link.ts answers it `ok` and
 * stops using the connection (closing it once our own commands are answered, draft §7).
 */
import type { CommandFrame } from '../hub/frame/index.js';
import { methodSpec, type Protocol, type Answer } from '../protocol/index.js';

const WHY = 'send commands on a connection you open and authenticate (inter-domain rule, part 4 row 13)';

export function refuseOnOutbound(command: CommandFrame, protocol: Protocol): Answer {
  const spec = methodSpec(command.method, protocol);
  const type =
    spec === undefined
      ? 'unknown-method'
      : spec.source !== null
        ? 'source-authorization'
        : command.method === 'terminate-notify'
          ? 'not-subscribed'
          : 'unknown-method';
  return {
    status: 'error',
    headers: [
      ['Error-Type', type],
      ['Error-Description', WHY],
    ],
  };
}
