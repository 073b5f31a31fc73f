/**
 * The table of configured rooms (docs/architecture.md part 7), built and checked in one place so
 * the router's constructor and a reload (docs/operations-reload.md) refuse the same mistakes
 * before anything changes: a room outside the served domains, an address used twice, a member
 * that is another room here.
 */
import type { RoomConfig } from './context.js';
import { makeRoom, type Room } from './rooms.js';

/** Room inbox URI → room. Throws an Error naming the first problem. */
export function buildRooms(domains: readonly string[], configs: readonly RoomConfig[]): Map<string, Room> {
  const served = new Set(domains.map((d) => d.toLowerCase()));
  const rooms = new Map<string, Room>();
  for (const r of configs) {
    if (!served.has(r.address.domain))
      throw new Error(`room ${r.name}: ${r.address.uri} is not in a served domain`);
    if (rooms.has(r.address.uri)) throw new Error(`room ${r.name}: ${r.address.uri} is used twice`);
    rooms.set(r.address.uri, makeRoom(r));
  }
  // A member that is another room here would be fanned out after our Visited token is added
  // and always end in `loop`: refuse the configuration instead.
  for (const room of rooms.values())
    for (const m of room.members)
      if (rooms.has(m.uri)) throw new Error(`room ${room.config.name}: member ${m.uri} is a room here`);
  return rooms;
}
