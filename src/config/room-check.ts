/**
 * Issue 19: the mistakes in `rooms:` the router would refuse at start (src/router/room-table.ts),
 * found while the configuration is checked, so `check-config` and `start` both report them as
 * configuration errors with their path instead of a stack trace: a room outside the gateway's
 * domains, an address used twice, and a room inside a room here. A room that contains itself,
 * directly or through other rooms, is named with the whole circle (`a → b → a`): fanned out, it
 * would only ever end in `loop` (draft §16.2 Visited).
 */
import { parseImUri } from '../model/index.js';
import type { GatewayConfig } from './schema.js';
import { joinPath, type SubstitutionIssue } from './substitute.js';

const uriOf = (text: string): string | null => {
  try {
    return parseImUri(text).uri;
  } catch {
    return null; // the schema already reported it
  }
};

export function roomIssues(config: GatewayConfig): SubstitutionIssue[] {
  const out: SubstitutionIssue[] = [];
  const served = new Set(config.gateway.domains);
  const index = new Map<string, number>();
  const addresses = config.rooms.map((r) => uriOf(r.address));
  addresses.forEach((uri, i) => {
    if (uri === null) return;
    const at = joinPath(joinPath('rooms', i), 'address');
    const domain = uri.slice(uri.lastIndexOf('@') + 1);
    if (!served.has(domain)) out.push({ path: at, message: `${uri} is not in a domain of gateway.domains` });
    if (index.has(uri)) out.push({ path: at, message: `${uri} is used by rooms[${index.get(uri)}] too` });
    else index.set(uri, i);
  });
  const members = config.rooms.map((r) => r.members.map(uriOf));
  config.rooms.forEach((r, i) =>
    members[i]!.forEach((m, j) => {
      if (m === null || !index.has(m)) return;
      const at = joinPath(joinPath(joinPath('rooms', i), 'members'), j);
      const circle = circleThrough(addresses[i]!, m, index, members);
      out.push({
        path: at,
        message:
          circle === null
            ? `${m} is the room ${config.rooms[index.get(m)!]!.name} here; a room cannot be a member of another room here`
            : `the room ${r.name} contains itself: ${circle.join(' → ')}`,
      });
    }),
  );
  return out;
}

/** The rooms from `member` back to `start` through room members (breadth first), or null. */
function circleThrough(
  start: string,
  member: string,
  index: ReadonlyMap<string, number>,
  members: readonly (readonly (string | null)[])[],
): string[] | null {
  const from = new Map<string, string>([[member, start]]);
  const queue = [member];
  for (let k = 0; k < queue.length; k++) {
    const at = queue[k]!;
    if (at === start) {
      const path = [start];
      for (let p = from.get(start)!; p !== start; p = from.get(p)!) path.push(p);
      path.push(start);
      // Walked backwards from start: reverse the inner part.
      return [start, ...path.slice(1, -1).reverse(), start];
    }
    for (const next of members[index.get(at)!]!)
      if (next !== null && index.has(next) && !from.has(next)) {
        from.set(next, at);
        queue.push(next);
      }
  }
  return null;
}
