/** Clocks (ports/clock.ts): the system's, and a fixed one tests set and advance. */
import type { Clock } from '../ports/clock.js';

export const systemClock: Clock = { now: () => new Date() };

export const fixedClock = (iso: string): Clock & { set(iso: string): void; advance(ms: number): void } => {
  let current = new Date(iso);
  return {
    now: () => new Date(current.getTime()),
    set: (next) => {
      current = new Date(next);
    },
    advance: (ms) => {
      current = new Date(current.getTime() + ms);
    },
  };
};
