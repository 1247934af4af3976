import type { WorkingDayCalendar } from './calendar.js';
import { addDays, addMonths, compareDates, daysBetween, type IsoDate } from './dates.js';
import { boundedMemo, type Memo } from './memo.js';
import { computeDueDate, type DueDate, type Period } from './period.js';

/** The clock table of deadlines.md as data: what starts a clock, how long it runs, what stops it. */

export const HANDOFF_PURPOSES = [
  'prosecution_review',
  'supplementary_investigation',
  'public_prosecution',
  'entrusted_mediation',
  'community_correction',
  'criminal_transfer',
  'litigation_response',
  'reconsideration_response',
  'dispute_referral',
  'information_notice',
] as const;
export type HandoffPurpose = (typeof HANDOFF_PURPOSES)[number];

/**
 * Purposes whose clock is a statutory 办案期限 (刑事诉讼法 Art. 172, 175, 208; 《行政执法机关移送涉嫌犯罪案件的规定》
 * Art. 8): passing one is 超期 in the law's words, where other duties are 逾期. The console keeps the same list
 * (web/src/model.ts CASE_HANDLING_PERIODS: the browser bundle does not import the domain).
 */
export const CASE_HANDLING_PERIODS: readonly HandoffPurpose[] = ['prosecution_review', 'supplementary_investigation', 'public_prosecution', 'criminal_transfer'];
export const isCaseHandlingPeriod = (purpose: HandoffPurpose): boolean => CASE_HANDLING_PERIODS.includes(purpose);

/** The locally configurable parts of the table (operations config), passed in — never read here. */
export interface DeadlinePolicy {
  privateEnterpriseFastTrack: boolean; // 涉企快速通道 on/off
  privateEnterpriseReconsiderationDays: number;
  noticeAckWorkingDays: number;
  informationNoticeWorkingDays: number;
  disputeReferralDays: number; // 诉源治理 dispute_referral period (operations.md deadlines.disputeReferralDays)
  disputeFilingWorkingDays: number; // 法律纠纷备案 period from arisenAt (operations.md deadlines.disputeFilingWorkingDays)
}

export const DEFAULT_DEADLINE_POLICY: DeadlinePolicy = Object.freeze({
  privateEnterpriseFastTrack: true,
  privateEnterpriseReconsiderationDays: 30,
  noticeAckWorkingDays: 5,
  informationNoticeWorkingDays: 5,
  disputeReferralDays: 15,
  disputeFilingWorkingDays: 5,
});

/** `procedure` on `handoff.requested` (events.md §3); absent = ordinary, so a revision-1 handoff keeps its clock. */
export const HANDOFF_PROCEDURES = ['ordinary', 'simplified', 'expedited'] as const;
export type HandoffProcedure = (typeof HANDOFF_PROCEDURES)[number];
/** `possibleSentence`: the sentence the charge may carry, which lengthens simplified and expedited periods. */
export const POSSIBLE_SENTENCES = ['up_to_1y', 'over_1y', 'over_3y'] as const;
export type PossibleSentence = (typeof POSSIBLE_SENTENCES)[number];
/** `ground` of `handoff.extended` version 2 (deadlines.md extensions column). */
export const HANDOFF_EXTENSION_GROUNDS = ['major_complex', 'third_month', 'upper_court', 'supreme_court', 'parties_consent'] as const;
export type HandoffExtensionGround = (typeof HANDOFF_EXTENSION_GROUNDS)[number];
/** The grounds whose length is the `days` the event names (required there); the others are fixed by law. */
export const DAYS_EXTENSION_GROUNDS: readonly HandoffExtensionGround[] = ['supreme_court', 'parties_consent'];

/** What the request says about the criminal procedure; both optional (revision-1 handoffs carry neither). */
export interface HandoffTerms {
  readonly procedure?: HandoffProcedure | null;
  readonly possibleSentence?: PossibleSentence | null;
}

/**
 * How one ground moves the due date as it stood before the holiday shift (deadlines.md rule 8):
 * `add` a fixed period, extend `to` a period counted from the start (a ceiling: never earlier than before),
 * or add the `days` the event names.
 */
export type HandoffExtensionEffect = { kind: 'add'; period: Period } | { kind: 'to'; period: Period } | { kind: 'days'; min: number; max: number };

export interface HandoffExtensionRule {
  ground: HandoffExtensionGround;
  effect: HandoffExtensionEffect;
  /** true: this ground may be used once per handoff; false: any number of times */
  once: boolean;
  /** the ground that must have been granted before this one (上一级法院 after 延长至三个月) */
  after: HandoffExtensionGround | null;
}

export interface HandoffClockRule {
  purpose: HandoffPurpose;
  /** `accepted`: 受理 (an acceptance straight from the request implies receipt at the same time) */
  startsOn: 'requested' | 'received' | 'accepted';
  stopsOn: 'received' | 'completed';
  period: Period;
  /** days counted after `period` (一个半月 = one month, then 半个月 = 15 days); 0 for most clocks */
  periodPlusDays: number;
  /** the grounds `handoff.extended` may name for this handoff; empty = the clock cannot be extended */
  extensions: readonly HandoffExtensionRule[];
  source: string; // legal basis, shown to clerks
}

const days = (amount: number): Period => ({ unit: 'days', amount });
const months = (amount: number): Period => ({ unit: 'months', amount });
const workingDays = (amount: number): Period => ({ unit: 'working_days', amount });

const extension = (ground: HandoffExtensionGround, effect: HandoffExtensionEffect, once: boolean, after: HandoffExtensionGround | null = null): HandoffExtensionRule => ({
  ground,
  effect,
  once,
  after,
});
const byPartiesConsent = extension('parties_consent', { kind: 'days', min: 1, max: 90 }, false);

/** possibleSentence over one year (over_3y is over one year too). */
const overOneYear = (terms: HandoffTerms): boolean => terms.possibleSentence === 'over_1y' || terms.possibleSentence === 'over_3y';

/**
 * The clock a handoff carries (deadlines.md Clocks, handoff rows). `terms` are the request's procedure and possible
 * sentence; without them (revision 1) the procedure is ordinary.
 *
 * The answer is frozen and shared: the same purpose, terms and policy periods give the same object. Every fold of a
 * handoff, every projection of it and every decision about it asks for its rule, several times per event; building
 * it afresh each time was 4.6 % of what a rebuild allocated. Being the same object also lets handoffDueDate remember
 * due dates per rule (another 4.5 %).
 */
export function handoffClockRule(purpose: HandoffPurpose, policy: DeadlinePolicy, terms: HandoffTerms = {}): HandoffClockRule {
  const procedure = terms.procedure ?? 'ordinary';
  // what the rule reads: the purpose, the terms and the two configurable periods — nothing else of the policy
  const key = `${purpose}|${procedure}|${terms.possibleSentence ?? ''}|${policy.disputeReferralDays}|${policy.informationNoticeWorkingDays}`;
  return rememberedRules.get(key) ?? rememberedRules.remember(key, frozenRule(countHandoffClockRule(purpose, procedure, policy, terms)));
}

/** bounded although the keys are few: a policy is configuration, yet a long-lived process must not grow with it */
const rememberedRules = boundedMemo<string, HandoffClockRule>(1_000);

function frozenRule(rule: HandoffClockRule): HandoffClockRule {
  Object.freeze(rule.period);
  for (const extension of rule.extensions) {
    if (extension.effect.kind !== 'days') Object.freeze(extension.effect.period);
    Object.freeze(extension.effect);
    Object.freeze(extension);
  }
  Object.freeze(rule.extensions);
  return Object.freeze(rule);
}

function countHandoffClockRule(purpose: HandoffPurpose, procedure: HandoffProcedure, policy: DeadlinePolicy, terms: HandoffTerms): HandoffClockRule {
  const rule = (startsOn: HandoffClockRule['startsOn'], period: Period, extensions: readonly HandoffExtensionRule[], source: string, periodPlusDays = 0): HandoffClockRule => ({
    purpose,
    startsOn,
    stopsOn: 'completed',
    period,
    periodPlusDays,
    extensions,
    source,
  });
  switch (purpose) {
    case 'prosecution_review':
      // 认罪认罚速裁: 10 days, 15 when the sentence may exceed one year; 重大复杂 +15 days only in the ordinary month.
      if (procedure === 'expedited') return rule('received', days(overOneYear(terms) ? 15 : 10), [], '刑事诉讼法第172条（认罪认罚速裁）');
      return rule('received', months(1), procedure === 'ordinary' ? [extension('major_complex', { kind: 'add', period: days(15) }, true)] : [], '刑事诉讼法第172条');
    case 'supplementary_investigation':
      return rule('received', months(1), [], '刑事诉讼法第175条');
    case 'public_prosecution': {
      // 刑事诉讼法 Art. 208: the third month, then 上一级法院 +3 months, then 最高法 as often as it approves.
      const trialExtensions = [
        extension('third_month', { kind: 'to', period: months(3) }, true),
        extension('upper_court', { kind: 'add', period: months(3) }, true, 'third_month'),
        extension('supreme_court', { kind: 'days', min: 1, max: 90 }, false, 'upper_court'),
      ];
      if (procedure === 'simplified') {
        // Art. 220: 20 days; 一个半月 when the sentence may exceed three years.
        return terms.possibleSentence === 'over_3y'
          ? rule('accepted', months(1), trialExtensions, '刑事诉讼法第220条（简易程序）', 15)
          : rule('accepted', days(20), trialExtensions, '刑事诉讼法第220条（简易程序）');
      }
      if (procedure === 'expedited') return rule('accepted', days(overOneYear(terms) ? 15 : 10), trialExtensions, '刑事诉讼法第225条（速裁程序）');
      return rule('accepted', months(2), trialExtensions, '刑事诉讼法第208条');
    }
    case 'entrusted_mediation':
      return rule('received', days(30), [byPartiesConsent], '《最高人民法院关于人民法院特邀调解的规定》第27条');
    case 'community_correction':
      // 回执: the clock runs for the receiving justice bureau to sign for the delivered files, not to finish the work.
      return { ...rule('requested', days(5), [], '《社区矫正法实施办法》'), stopsOn: 'received' };
    case 'criminal_transfer':
      return rule(
        'received',
        days(3),
        [extension('major_complex', { kind: 'to', period: days(30) }, true)],
        '《行政执法机关移送涉嫌犯罪案件的规定》第8条；《公安机关受理行政执法机关移送涉嫌犯罪案件规定》',
      );
    case 'litigation_response':
      return rule('received', days(15), [], '行政诉讼法第67条');
    case 'reconsideration_response':
      return rule('received', workingDays(10), [], '行政复议法（2023）第48条、第88条');
    case 'dispute_referral':
      return rule('received', days(policy.disputeReferralDays), [byPartiesConsent], '本地诉源治理制度（可配置）');
    case 'information_notice':
      return rule('received', workingDays(policy.informationNoticeWorkingDays), [], '本地信息通报制度（可配置）');
    default: {
      const _exhaustive: never = purpose;
      throw new RangeError(`unknown handoff purpose: ${String(_exhaustive)}`);
    }
  }
}

/** One granted extension as the clock needs it; `ground: null` is a revision-1 `handoff.extended` (its `days` added once). */
export interface GrantedExtension {
  readonly ground: HandoffExtensionGround | null;
  readonly days: number | null;
}

/** Why an extension cannot be granted, for the rejection message; null when it can. */
export type ExtensionRefusal =
  | { reason: 'not_extendable' }
  | { reason: 'ground_not_allowed'; allowed: readonly HandoffExtensionGround[] }
  | { reason: 'already_used'; ground: HandoffExtensionGround }
  | { reason: 'needs_prior'; ground: HandoffExtensionGround; after: HandoffExtensionGround }
  | { reason: 'days_required'; ground: HandoffExtensionGround; min: number; max: number }
  | { reason: 'days_out_of_range'; ground: HandoffExtensionGround; min: number; max: number };

/**
 * Whether `handoff.extended` with this ground (and days) fits the rule after the extensions already granted:
 * the ground must be one the purpose and procedure allow, a once-only ground unused, its predecessor granted.
 * A revision-1 extension (no ground) on the handoff counts as the purpose's first once-only ground.
 */
export function handoffExtensionRefusal(
  rule: HandoffClockRule,
  granted: readonly GrantedExtension[],
  request: { ground: HandoffExtensionGround; days?: number | null },
): ExtensionRefusal | null {
  if (rule.extensions.length === 0) return { reason: 'not_extendable' };
  const ext = rule.extensions.find((e) => e.ground === request.ground);
  if (!ext) return { reason: 'ground_not_allowed', allowed: rule.extensions.map((e) => e.ground) };
  const used = grantedGrounds(rule, granted);
  if (ext.once && used.includes(ext.ground)) return { reason: 'already_used', ground: ext.ground };
  if (ext.after !== null && !used.includes(ext.after)) return { reason: 'needs_prior', ground: ext.ground, after: ext.after };
  const days = request.days ?? null;
  if (ext.effect.kind === 'days') {
    if (days === null) return { reason: 'days_required', ground: ext.ground, min: ext.effect.min, max: ext.effect.max };
    if (!Number.isSafeInteger(days) || days < ext.effect.min || days > ext.effect.max) {
      return { reason: 'days_out_of_range', ground: ext.ground, min: ext.effect.min, max: ext.effect.max };
    }
  }
  // A fixed ground (+15 days, to three months…) ignores `days`: the law, not the event, sets its length.
  return null;
}

// A revision-1 extension stood for the purpose's one extension, so it uses up the first once-only ground.
const grantedGrounds = (rule: HandoffClockRule, granted: readonly GrantedExtension[]): HandoffExtensionGround[] => {
  const legacyStandsFor = rule.extensions.find((e) => e.once)?.ground;
  return granted.flatMap((g) => (g.ground !== null ? [g.ground] : legacyStandsFor !== undefined ? [legacyStandsFor] : []));
};

/**
 * The due date of a handoff's clock started on `start`: the period (and its extra days), then every granted
 * extension in order on the date before the holiday shift, then the shift — none while the suspect or defendant is
 * in custody (刑事诉讼法 Art. 105: the period ends on its last day even on a holiday; deadlines.md rules 5 and 8).
 */
export function handoffDueDate(args: {
  start: IsoDate;
  rule: HandoffClockRule;
  extensions: readonly GrantedExtension[];
  inCustody: boolean;
  calendar: WorkingDayCalendar;
}): DueDate {
  if (args.extensions.length > 0) return countHandoffDueDate(args);
  // most handoffs are never extended: their due date depends on the start and custody alone, per rule and calendar
  const memo = rememberedUnextended(args.calendar, args.rule);
  const key = args.inCustody ? `${args.start}|custody` : args.start;
  const known = memo.get(key) ?? memo.remember(key, countHandoffDueDate(args));
  return { ...known };
}

/**
 * Due dates of unextended handoffs, per calendar and rule (handoffClockRule shares its answers, so a rule is the same
 * object each time). A calendar is fixed once made, so an answer never goes stale; bounded as computeDueDate's are.
 */
const unextendedDueDates = new WeakMap<WorkingDayCalendar, WeakMap<HandoffClockRule, Memo<string, DueDate>>>();

function rememberedUnextended(calendar: WorkingDayCalendar, rule: HandoffClockRule): Memo<string, DueDate> {
  let perRule = unextendedDueDates.get(calendar);
  if (perRule === undefined) unextendedDueDates.set(calendar, (perRule = new WeakMap()));
  let memo = perRule.get(rule);
  if (memo === undefined) perRule.set(rule, (memo = boundedMemo(20_000)));
  return memo;
}

function countHandoffDueDate(args: Parameters<typeof handoffDueDate>[0]): DueDate {
  const { start, rule, calendar } = args;
  const counted = computeDueDate({ start, period: rule.period, holidayShift: false, calendar }).dueDate;
  let unshifted = addDays(counted, rule.periodPlusDays);
  for (const granted of args.extensions) {
    const ext = granted.ground === null ? null : rule.extensions.find((e) => e.ground === granted.ground);
    // Revision 1, or a ground stored under an older rule: the days it names, added once (events.md §3).
    if (!ext) unshifted = addDays(unshifted, granted.days ?? 0);
    else if (ext.effect.kind === 'days') unshifted = addDays(unshifted, granted.days ?? 0);
    else if (ext.effect.kind === 'add') unshifted = addPeriod(unshifted, ext.effect.period);
    else {
      const ceiling = addPeriod(start, ext.effect.period);
      if (compareDates(ceiling, unshifted) > 0) unshifted = ceiling;
    }
  }
  return computeDueDate({
    start,
    period: rule.period,
    extensionDays: daysBetween(counted, unshifted),
    ...(args.inCustody ? { holidayShift: false } : {}),
    calendar,
  });
}

const addPeriod = (date: IsoDate, period: Period): IsoDate => {
  if (period.unit === 'days') return addDays(date, period.amount);
  if (period.unit === 'months') return addMonths(date, period.amount);
  throw new RangeError('a handoff extension is counted in days or months');
};

/**
 * 行政复议法 (2023) Art. 62: 60 days, 30 under the simplified procedure (简易程序, Art. 61). The local 涉企绿色通道
 * (configurable, default on) gives a private enterprise's case a configurable period unless it is 重大疑难
 * (majorOrComplex); when both apply the shorter one wins, since each is a ceiling.
 */
export function reconsiderationDecisionPeriod(
  c: { simplified: boolean; privateEnterprise: boolean; majorOrComplex: boolean },
  policy: DeadlinePolicy,
): Period {
  const candidates = [60];
  if (c.simplified) candidates.push(30);
  if (c.privateEnterprise && !c.majorOrComplex && policy.privateEnterpriseFastTrack) candidates.push(policy.privateEnterpriseReconsiderationDays);
  return days(Math.min(...candidates));
}

/** 行政复议法 Art. 62: an ordinary-procedure decision clock may be extended once, by at most 30 days. */
export const RECONSIDERATION_MAX_EXTENSION_DAYS = 30;

/**
 * A suggestion's reply period, counted from its receipt: 2 months for a 司法建议 (最高法 2023 司法建议规定) and a
 * 检察建议 (检察建议工作规定 Art. 18) — an urgent 检察建议 the `replyDays` it set; 15 days for an urgent
 * public-interest 检察建议 (公益诉讼解释 Art. 21); 60 days for a 行政复议意见书 (行政复议法 Art. 76).
 */
export function suggestionReplyPeriod(s: { category: string; urgent: boolean; replyDays?: number | null }): Period {
  switch (s.category) {
    case 'public_interest':
      return s.urgent ? days(15) : months(2);
    case 'procuratorial':
      return s.urgent && s.replyDays != null ? days(s.replyDays) : months(2);
    case 'reconsideration_opinion':
      return days(60);
    default:
      return months(2);
  }
}

/** 社区矫正法 Art. 20: the court notifies the 社区矫正机构 within 5 days of the judgment taking effect. */
export const COMMUNITY_CORRECTION_NOTICE: Period = Object.freeze(days(5));

/** 社区矫正法 Art. 20: court delivers the files within 10 days of the judgment taking effect. */
export const COMMUNITY_CORRECTION_DELIVERY: Period = Object.freeze(days(10));
/** 社区矫正法 Art. 21: the offender reports (报到) within 10 days of the judgment taking effect. */
export const OFFENDER_REPORT: Period = Object.freeze(days(10));

/** Copy-notice (抄告) acknowledgement by each recipient. */
export function noticeAckPeriod(policy: DeadlinePolicy): Period {
  return workingDays(policy.noticeAckWorkingDays);
}

/** 法律纠纷备案: a government dispute is filed within this many working days of `arisenAt` (local 管理办法, configurable). */
export function disputeFilingPeriod(policy: DeadlinePolicy): Period {
  return workingDays(policy.disputeFilingWorkingDays ?? DEFAULT_DEADLINE_POLICY.disputeFilingWorkingDays);
}

/** The due date itself is still on time: overdue starts the day after. */
export function isOverdue(d: { dueDate: IsoDate; stopped: boolean }, today: IsoDate): boolean {
  return !d.stopped && compareDates(today, d.dueDate) > 0;
}

/** Stopped after its due date (statistics count it as not on time); a running clock is not late yet. */
export function isLate(d: { dueDate: IsoDate; stoppedOn: IsoDate | null }): boolean {
  return d.stoppedOn !== null && compareDates(d.stoppedOn, d.dueDate) > 0;
}
