export * from './meeting.js';
export * from './decide.js';
export * from './attention.js';
