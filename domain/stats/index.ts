export * from './filings.js';
export * from './decide.js';
