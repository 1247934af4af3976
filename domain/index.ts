/**
 * The domain in one import: the published-event catalog and its deciders (cases, meetings), and the deadline
 * engine. Pure — no I/O, no clock, no vendor imports.
 */
export * from './catalog/index.js';
export * from './deadlines/index.js';
export * from './shared/agencies.js';
export * from './shared/decider.js';
export * from './shared/errors.js';
export * from './shared/events.js';
