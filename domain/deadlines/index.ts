export * from './dates.js';
export * from './calendar.js';
export * from './period.js';
export * from './clocks.js';
