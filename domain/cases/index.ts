export * from './case.js';
export * from './decide.js';
export * from './deadlines.js';
