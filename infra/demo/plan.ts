/**
 * The demo city's time line: China-time helpers, a case script that lets each practice generator write its
 * case as a list of timed facts, and the plan that sorts everything into DemoSteps.
 *
 * Practice generators compute times freely (a notice acknowledgement three working days after a judgment,
 * a suggestion reply seven weeks after it was issued); `CaseScript.commit` sorts one case's facts by time
 * and cuts them at `now`, so a case that started late in the window is simply still in progress. Every fact
 * is placed strictly after the fact it depends on, so any time-ordered prefix is a valid history.
 */
import type { DomainEvent } from '../../domain/shared/events.js';
import { addDays, type IsoDate, type WorkingDayCalendar } from '../../domain/deadlines/index.js';
import type { Rng } from './random.js';
import type { CloudEvent, DemoStep, MutationName } from './scenario.js';

const MINUTE = 60_000;
const CHINA_OFFSET = 8 * 60 * MINUTE;
/** the office day: 08:40–17:40 China time, in minutes after midnight */
const OFFICE_OPEN = 8 * 60 + 40;
const OFFICE_CLOSE = 17 * 60 + 40;
/** nothing is published later than this before `now` (the loader's clock must not see a future time) */
const SAFETY_MS = MINUTE;
/** consecutive events of one agency are sent as one batch, up to this many */
const MAX_BATCH = 200;

export const chinaDay = (ms: number): IsoDate => new Date(ms + CHINA_OFFSET).toISOString().slice(0, 10);
export const chinaTime = (ms: number): string => `${new Date(ms + CHINA_OFFSET).toISOString().slice(0, 19)}+08:00`;
/** the instant of `hh:mm` China time on `date` */
export const chinaMs = (date: IsoDate, minutesAfterMidnight: number): number => Date.parse(`${date}T00:00:00Z`) - CHINA_OFFSET + minutesAfterMidnight * MINUTE;
/** 2024-11-03 → 11月3日 (for texts people read) */
export const cnDate = (date: IsoDate): string => `${Number(date.slice(5, 7))}月${Number(date.slice(8, 10))}日`;
const minutesOfDay = (ms: number): number => Math.floor(((ms + CHINA_OFFSET) % (24 * 60 * MINUTE)) / MINUTE);

/** Working-day arithmetic for scheduling agency work (not for deadlines: those are the domain's). */
export class DemoTime {
  readonly today: IsoDate;

  constructor(
    readonly now: number,
    readonly calendar: WorkingDayCalendar,
    private readonly rng: Rng,
  ) {
    this.today = chinaDay(now);
  }

  /** `date` if it is a working day, else the next one */
  workday(date: IsoDate): IsoDate {
    let d = date;
    while (!this.calendar.isWorkingDay(d)) d = addDays(d, 1);
    return d;
  }

  /** the last working day on or before `date` */
  workdayOnOrBefore(date: IsoDate): IsoDate {
    let d = date;
    while (!this.calendar.isWorkingDay(d)) d = addDays(d, -1);
    return d;
  }

  /** an office moment on the working day `days` calendar days before today (at least one day back) */
  ago(days: number): number {
    return this.office(this.workdayOnOrBefore(addDays(this.today, -Math.max(1, days))));
  }

  /** a random moment of the office day on `date` (whole seconds) */
  office(date: IsoDate, fromMinute = OFFICE_OPEN, toMinute = OFFICE_CLOSE): number {
    return chinaMs(date, this.rng.int(fromMinute, toMinute)) + this.rng.int(0, 59) * 1000;
  }

  /** the office day `n` working days after the day of `ms` (n ≥ 1); n = 0 is a little later the same day */
  afterWorkdays(ms: number, n: number): number {
    if (n <= 0) return this.afterMinutes(ms, 15, 120);
    let d = chinaDay(ms);
    for (let i = 0; i < n; i++) d = this.workday(addDays(d, 1));
    return this.office(d);
  }

  /** `n` calendar days after the day of `ms`, moved to the next working day */
  afterDays(ms: number, n: number): number {
    return this.office(this.workday(addDays(chinaDay(ms), n)));
  }

  /** `min`–`max` minutes later; past closing time it becomes the next working morning */
  afterMinutes(ms: number, min: number, max: number): number {
    const t = ms + this.rng.int(min, max) * MINUTE;
    if (minutesOfDay(t) <= OFFICE_CLOSE + 20 && chinaDay(t) === chinaDay(ms)) return t;
    return this.office(this.workday(addDays(chinaDay(ms), 1)), OFFICE_OPEN, OFFICE_OPEN + 90);
  }

  /** a random office moment between two instants (or `from` itself when the range is empty) */
  between(from: number, to: number): number {
    if (to <= from) return from;
    const t = from + Math.floor(this.rng.float() * (to - from));
    const date = this.workday(chinaDay(t));
    const m = this.office(date);
    return m > from && m < to ? m : t - (t % 1000);
  }

  /** `date` + n calendar days, as a date */
  dateAfter(ms: number, n: number): IsoDate {
    return addDays(chinaDay(ms), n);
  }
}

interface PlannedPublish {
  readonly kind: 'publish';
  readonly ms: number;
  readonly order: number;
  readonly publisher: string;
  readonly event: CloudEvent;
}
interface PlannedMutation {
  readonly kind: 'mutation';
  readonly ms: number;
  readonly order: number;
  readonly name: MutationName;
  readonly asAgency: string;
  readonly args: Record<string, unknown>;
  readonly ref?: string;
}
type Planned = PlannedPublish | PlannedMutation;

/** What the meeting generator may know about a case: its facts as designed (bad ones excluded). */
export interface CaseRecord {
  readonly id: string;
  readonly registeredBy: string;
  readonly facts: readonly (DomainEvent & { readonly ms: number })[];
}

export class Plan {
  private readonly items: Planned[] = [];
  private order = 0;
  readonly cases = new Map<string, CaseRecord>();

  constructor(readonly time: DemoTime) {}

  publish(ms: number, publisher: string, event: CloudEvent): void {
    this.items.push({ kind: 'publish', ms, order: this.order++, publisher, event });
  }

  /** an organizer's (or owner's, recipient's) GraphQL mutation; `ref` names the id it returns */
  mutation(ms: number, name: MutationName, asAgency: string, args: Record<string, unknown>, ref?: string): void {
    if (ms > this.time.now - SAFETY_MS) return;
    this.items.push({ kind: 'mutation', ms, order: this.order++, name, asAgency, args, ...(ref ? { ref } : {}) });
  }

  newCase(id: string, registeredBy: string): CaseScript {
    if (this.cases.has(id)) throw new Error(`demo case id used twice: ${id}`);
    return new CaseScript(this, id, registeredBy);
  }

  /** @internal */
  record(record: CaseRecord): void {
    this.cases.set(record.id, record);
  }

  /** chronological steps; consecutive events of one publisher become one batch */
  steps(): DemoStep[] {
    const sorted = [...this.items].sort((a, b) => a.ms - b.ms || a.order - b.order);
    const steps: DemoStep[] = [];
    for (const item of sorted) {
      if (item.kind === 'mutation') {
        steps.push({
          kind: 'mutation',
          name: item.name,
          asAgency: item.asAgency,
          at: chinaTime(item.ms),
          args: item.args,
          ...(item.ref ? { ref: item.ref } : {}),
        });
        continue;
      }
      const last = steps[steps.length - 1];
      if (last?.kind === 'publish' && last.agencyId === item.publisher && last.events.length < MAX_BATCH) last.events.push(item.event);
      else steps.push({ kind: 'publish', agencyId: item.publisher, events: [item.event] });
    }
    return steps;
  }
}

interface ScriptedFact {
  ms: number;
  readonly order: number;
  readonly publisher: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
  /** a fact the platform must refuse: its id, and envelope fields that differ from a good one */
  readonly bad?: { readonly id: string; readonly envelope?: Partial<CloudEvent> };
}

/** One case's facts, written in any order with their times, committed sorted and cut at `now`. */
export class CaseScript {
  private readonly facts: ScriptedFact[] = [];
  private order = 0;

  constructor(
    private readonly plan: Plan,
    readonly id: string,
    readonly registeredBy: string,
  ) {}

  /** a fact published by `publisher` at `ms`; returns `ms` so scripts can chain times */
  add(ms: number, publisher: string, type: string, data: Record<string, unknown>): number {
    this.facts.push({ ms, order: this.order++, publisher, type, data });
    return ms;
  }

  /** a fact that must be rejected (`bad-` id); `envelope` overrides subject, source, time or type */
  bad(ms: number, publisher: string, id: string, type: string, data: Record<string, unknown>, envelope: Partial<CloudEvent> = {}): number {
    if (!id.startsWith('bad-')) throw new Error(`a rejected demo event needs an id starting with bad-: ${id}`);
    this.facts.push({ ms, order: this.order++, publisher, type, data, bad: { id, envelope } });
    return ms;
  }

  /** sorts by time, keeps times strictly increasing, drops whatever would happen after `now` */
  commit(): void {
    const now = this.plan.time.now;
    const sorted = [...this.facts].sort((a, b) => a.ms - b.ms || a.order - b.order);
    const kept: ScriptedFact[] = [];
    let last = -Infinity;
    for (const fact of sorted) {
      const ms = fact.ms <= last ? last + MINUTE : fact.ms;
      if (ms > now - SAFETY_MS) break;
      fact.ms = ms;
      last = ms;
      kept.push(fact);
    }
    let n = 0;
    const recorded: (DomainEvent & { ms: number })[] = [];
    for (const fact of kept) {
      const id = fact.bad ? fact.bad.id : `${this.id}-${String(++n).padStart(2, '0')}`;
      const event: CloudEvent = {
        specversion: '1.0',
        id,
        source: fact.publisher,
        type: fact.type,
        subject: this.id,
        time: chinaTime(fact.ms),
        data: fact.data,
        ...fact.bad?.envelope,
      };
      this.plan.publish(fact.ms, fact.publisher, event);
      if (!fact.bad) recorded.push({ type: fact.type, data: fact.data, time: event.time, source: fact.publisher, ms: fact.ms });
    }
    if (recorded.length > 0) this.plan.record({ id: this.id, registeredBy: this.registeredBy, facts: recorded });
  }
}
