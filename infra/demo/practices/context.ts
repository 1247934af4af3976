import type { IsoDate } from '../../../domain/deadlines/index.js';
import { yearOf } from '../../../domain/deadlines/index.js';
import { chinaDay, type CaseScript, type DemoTime, type Plan } from '../plan.js';
import type { Rng } from '../random.js';
import { GOV, JUSTICE } from '../names.js';

/** What every practice generator works with. */
export interface DemoContext {
  readonly plan: Plan;
  readonly time: DemoTime;
  readonly rng: Rng;
  readonly numbers: CaseNumbers;
}

/** Case numbers (案号) per series and year, rising with gaps as in a real register. */
export class CaseNumbers {
  private readonly last = new Map<string, number>();

  constructor(private readonly rng: Rng) {}

  take(series: string, date: IsoDate): { n: number; year: number } {
    const year = yearOf(date);
    const key = `${series}/${year}`;
    const n = (this.last.get(key) ?? this.rng.int(6, 40)) + this.rng.int(1, 4);
    this.last.set(key, n);
    return { n, year };
  }
}

/** The platform case id (the CloudEvent subject): ASCII, readable, unique. */
export const caseIdOf = (prefix: string, year: number, n: number): string => `${prefix}-${year}-${String(n).padStart(4, '0')}`;

export const numberFor = (ctx: DemoContext, series: string, start: number) => ctx.numbers.take(series, chinaDay(start));

/** A document listed in a handoff; most carry the sha256 of the file the sender's system holds. */
export const doc = (ctx: DemoContext, title: string): { title: string; sha256?: string } =>
  ctx.rng.chance(0.8) ? { title, sha256: ctx.rng.hex(64) } : { title };

/** How a copy-notice recipient signs: a published `notice.acknowledged`, the GraphQL mutation, or not (yet). */
export type AckBy = 'event' | 'mutation' | 'none';

/** The platform's recipients (events.md: the defendant agency plus the configured copyNoticeRecipients). */
export const noticeRecipients = (defendant: string): string[] => [...new Set([defendant, GOV, JUSTICE])];

/** Recipients acknowledge a copy notice a few working days after it was issued, each in its own way. */
export function acknowledge(ctx: DemoContext, c: CaseScript, noticeId: string, issuedAt: number, defendant: string, acks: Partial<Record<string, AckBy>>): void {
  for (const agency of noticeRecipients(defendant)) {
    const how = acks[agency] ?? 'event';
    if (how === 'none') continue;
    const at = ctx.time.afterWorkdays(issuedAt, ctx.rng.int(1, 4));
    if (how === 'event') c.add(at, agency, 'notice.acknowledged', { noticeId });
    else ctx.plan.mutation(at, 'acknowledgeNotice', agency, { id: noticeId });
  }
}
