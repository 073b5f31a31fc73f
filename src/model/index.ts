/** The CPIM model: addresses, identifier patterns, date-times and UTF-8 checks. No I/O. */
export * from './address.js';
export * from './pattern.js';
export * from './datetime.js';
export * from './utf8.js';
