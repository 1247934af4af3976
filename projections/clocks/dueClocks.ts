/**
 * The running clocks due on or before a date, overdue ones included, from the clocks read model — what the notifier
 * scans for 临期 and 逾期 notices (ports/notifications.ts RunningClocksDueBy). One range of the `all` scope, read a
 * page at a time, each page's documents read together.
 */
import type { ClockFacts } from '../../domain/clocks/runningClocks.js';
import type { IsoDate } from '../../domain/deadlines/index.js';
import type { DueClock, RunningClocksDueBy } from '../../ports/notifications.js';
import type { IndexEntry, ReadModelStore } from '../../ports/readModelStore.js';
import { CLOCK_INDEX, CLOCKS, clockIdOfValue, ClockScope, type ClockDoc } from './clocks.projection.js';

/** clocks per page: the notifier takes a turn of the event loop between pages (application/notifier.ts) */
const PAGE = 100;

export function runningClocksDueBy(readModels: ReadModelStore): RunningClocksDueBy {
  return async function* (lastDue: IsoDate): AsyncIterable<DueClock> {
    const prefix = `${ClockScope.all}|`;
    // `<prefix><lastDue>|\u{10ffff}` lies above every clock due on lastDue and below every later one
    const bounds = { from: prefix, to: `${prefix}${lastDue}|\u{10ffff}` };
    let after: IndexEntry | null = null;
    do {
      const page = await readModels.findRange(CLOCKS, CLOCK_INDEX, { ...bounds, after, limit: PAGE });
      const docs = await readModels.getMany<ClockDoc>(CLOCKS, [...new Set(page.entries.map((e) => e.id))]);
      const byId = new Map<string, ClockFacts>();
      for (const doc of docs) if (doc !== null) for (const clock of doc.clocks) byId.set(clock.id, clock);
      for (const entry of page.entries) {
        const clock = byId.get(clockIdOfValue(entry.value));
        if (clock !== undefined) yield { ...clock, documentId: entry.id };
      }
      after = page.next;
    } while (after !== null);
  };
}
