/** The router's public surface (docs/architecture.md parts 2, 4, 7). */
export { Router } from './router.js';
export type { Capabilities, RoomConfig, RouterLimits, RouterOptions, RouteFn } from './context.js';
export { DEFAULT_LIMITS } from './context.js';
export * from './operation.js';
export type { PresenceInfo } from './presence-store.js';
export { ROOM_FAILED_HEADER } from './rooms.js';
export { buildRooms } from './room-table.js';
export type { RouterReload } from './reload.js';
export { MAX_FORWARDS_HEADER, DEFAULT_MAX_FORWARDS, DEFAULT_MAX_VISITED } from './visited.js';
export { ROUTE_KINDS, RouterStats, RouteStats, type RouteKind } from './stats.js';
