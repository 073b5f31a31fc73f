/**
 * The names of the PITP router tests' world (router-pitp.ts): its domain, the presentities in it
 * and the PI type they publish.
 */
export const A = 'a.example';
export const ALICE = `presence:alice@${A}`;
export const BOB = `presence:bob@${A}`;
export const CAROL = `presence:carol@${A}`;
export const PIDF = 'application/pidf+xml';
