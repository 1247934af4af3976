/**
 * The "todays" the demo city is tested at: quarter ends, the week after National Day and Spring Festival, a year
 * whose official calendar is not loaded yet, and the real today the demo is started on. DEMO_SWEEP=1 adds a `now`
 * every few days over four years, to catch a holiday or quarter boundary a case script trips on.
 */
export const NOWS = [
  '2024-09-17T02:00:00Z',
  '2024-10-09T01:30:00Z',
  '2025-02-05T03:00:00Z',
  '2025-03-31T15:59:00Z',
  '2025-07-01T00:10:00Z',
  '2026-11-22T07:00:00Z',
  '2027-02-10T04:00:00Z',
  new Date().toISOString(),
  ...(process.env.DEMO_SWEEP ? Array.from({ length: 280 }, (_, i) => new Date(Date.parse('2024-03-01T03:17:00Z') + i * 5.3 * 86_400_000).toISOString()) : []),
];
