import { yearOf } from '../../../domain/deadlines/index.js';
import { chinaDay, type CaseScript, type DemoTime, type Plan } from '../plan.js';
import type { Rng } from '../random.js';
import { GOV, JUSTICE, supervisorOf } from '../names.js';

/** What every practice generator works with. */
export interface DemoContext {
  readonly plan: Plan;
  readonly time: DemoTime;
  readonly rng: Rng;
  readonly numbers: CaseNumbers;
}

/**
 * Case numbers (案号, 文号) per series and year, rising with the registration time as in a real register, with gaps
 * (cases the platform never sees). A practice asks for a number when it writes the registration and gets a marker;
 * once every case is written, `resolve` numbers each series in the order of the times its numbers were taken and
 * replaces the markers everywhere in the steps (case ids, event ids, subjects, texts, mutation arguments).
 */
export class CaseNumbers {
  private readonly taken: { readonly series: string; readonly year: number; readonly ms: number }[] = [];

  constructor(private readonly rng: Rng) {}

  /**
   * A number of `series` (e.g. `岭0102行初`: one court and case type) for a registration at `ms`: `n` is a marker that
   * becomes the number, `padded` the number with four digits (case ids).
   */
  take(series: string, ms: number): CaseNo {
    const year = yearOf(chinaDay(ms));
    const k = this.taken.push({ series, year, ms }) - 1;
    return { year, n: `${OPEN}${k}${CLOSE}`, padded: `${OPEN}${k}:4${CLOSE}` };
  }

  /** the steps with every marker replaced by its number */
  resolve<T>(value: T): T {
    const numbers = new Map<number, number>();
    const bySeries = new Map<string, number[]>();
    this.taken.forEach((t, k) => {
      const key = `${t.series}/${t.year}`;
      bySeries.set(key, [...(bySeries.get(key) ?? []), k]);
    });
    for (const [key, ks] of bySeries) {
      // a register's number is about (its yearly volume so far) — the cases the platform never sees fill the gaps
      const perDay = volumeOf(key.slice(0, key.lastIndexOf('/')));
      let n = 0;
      for (const k of [...ks].sort((a, b) => this.taken[a]!.ms - this.taken[b]!.ms || a - b)) {
        const day = dayOfYear(chinaDay(this.taken[k]!.ms));
        n = Math.max(n + 1, Math.round(perDay * day * (0.9 + this.rng.float() * 0.2)) + 1);
        numbers.set(k, n);
      }
    }
    const text = JSON.stringify(value).replace(MARKER, (_, k: string, pad: string | undefined) => {
      const n = String(numbers.get(Number(k)));
      return pad ? n.padStart(Number(pad), '0') : n;
    });
    return JSON.parse(text) as T;
  }
}

/** registrations per calendar day of a series, roughly (a basic-level court dockets far more than the 中级人民法院) */
function volumeOf(series: string): number {
  const intermediate = /^岭01\D/.test(series);
  if (series.endsWith('民诉前调')) return 8;
  if (series.endsWith('刑初')) return intermediate ? 0.15 : 2.5;
  if (series.endsWith('行初')) return intermediate ? 0.25 : 0.6;
  if (series.endsWith('行终')) return 0.5;
  if (series.endsWith('府行复')) return series.startsWith('岭') ? 1 : 0.3;
  if (series.endsWith('立字')) return series.startsWith('岭公') ? 1 : 6;
  if (series.endsWith('刑诉')) return series.startsWith('岭检') ? 0.2 : 1.5;
  return 0.2;
}

const dayOfYear = (date: string): number => Math.round((Date.parse(`${date}T00:00:00Z`) - Date.parse(`${date.slice(0, 4)}-01-01T00:00:00Z`)) / 86_400_000) + 1;

const OPEN = '\u2045';
const CLOSE = '\u2046';
const MARKER = /\u2045(\d+)(?::(\d+))?\u2046/g;

export interface CaseNo {
  readonly year: number;
  /** the number, in texts: 岭0102行初${n}号 */
  readonly n: string;
  /** the number with four digits, in case ids */
  readonly padded: string;
}

/** the same case id mistyped with a leading zero too many (a receipt that names no case) */
export const mistypedCaseId = (id: string): string => id.replace(/:4\u2046$/, ':5\u2046');

/** The platform case id (the CloudEvent subject): ASCII, readable, unique. */
export const caseIdOf = (prefix: string, no: CaseNo): string => `${prefix}-${no.year}-${no.padded}`;

/** a court's 案号 in the usual form: （2026）岭0102行初12号 */
export const courtCaseNumber = (courtCode: string, type: string, no: CaseNo): string => `（${no.year}）${courtCode}${type}${no.n}号`;

export const numberFor = (ctx: DemoContext, series: string, registeredAt: number): CaseNo => ctx.numbers.take(series, registeredAt);

/** A document listed in a handoff; most carry the sha256 of the file the sender's system holds. */
export const doc = (ctx: DemoContext, title: string): { title: string; sha256?: string } =>
  ctx.rng.chance(0.8) ? { title, sha256: ctx.rng.hex(64) } : { title };

/** How a copy-notice recipient signs: a published `notice.acknowledged`, the GraphQL mutation, or not (yet). */
export type AckBy = 'event' | 'mutation' | 'none';

/** The platform's recipients (events.md: the defendant agency, its supervisorId, the configured copyNoticeRecipients). */
export const noticeRecipients = (defendant: string): string[] => [...new Set([defendant, ...(supervisorOf(defendant) ? [supervisorOf(defendant)!] : []), GOV, JUSTICE])];

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
