export * from './meeting.js';
export * from './decide.js';
