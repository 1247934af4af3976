import { compareDates, type IsoDate } from './dates.js';
import type { Period } from './period.js';

/** The clock table of deadlines.md as data: what starts a clock, how long it runs, what stops it. */

export const HANDOFF_PURPOSES = [
  'prosecution_review',
  'supplementary_investigation',
  'public_prosecution',
  'entrusted_mediation',
  'community_correction',
  'criminal_transfer',
  'information_notice',
] as const;
export type HandoffPurpose = (typeof HANDOFF_PURPOSES)[number];

/** The locally configurable parts of the table (operations config), passed in — never read here. */
export interface DeadlinePolicy {
  privateEnterpriseFastTrack: boolean; // 涉企快速通道 on/off
  privateEnterpriseReconsiderationDays: number;
  noticeAckWorkingDays: number;
  informationNoticeWorkingDays: number;
}

export const DEFAULT_DEADLINE_POLICY: DeadlinePolicy = Object.freeze({
  privateEnterpriseFastTrack: true,
  privateEnterpriseReconsiderationDays: 30,
  noticeAckWorkingDays: 5,
  informationNoticeWorkingDays: 5,
});

export interface HandoffClockRule {
  purpose: HandoffPurpose;
  startsOn: 'requested' | 'received';
  stopsOn: 'received' | 'completed';
  period: Period;
  maxExtensionDays: number; // 0 = handoff.extended is not allowed for this purpose
  source: string; // legal basis, shown to clerks
}

const days = (amount: number): Period => ({ unit: 'days', amount });
const months = (amount: number): Period => ({ unit: 'months', amount });
const workingDays = (amount: number): Period => ({ unit: 'working_days', amount });

export function handoffClockRule(purpose: HandoffPurpose, policy: DeadlinePolicy): HandoffClockRule {
  switch (purpose) {
    case 'prosecution_review':
      return { purpose, startsOn: 'received', stopsOn: 'completed', period: months(1), maxExtensionDays: 15, source: '刑事诉讼法第172条' };
    case 'supplementary_investigation':
      return { purpose, startsOn: 'received', stopsOn: 'completed', period: months(1), maxExtensionDays: 0, source: '刑事诉讼法第175条' };
    case 'public_prosecution':
      return { purpose, startsOn: 'received', stopsOn: 'completed', period: months(2), maxExtensionDays: 30, source: '刑事诉讼法第208条' };
    case 'entrusted_mediation':
      return {
        purpose,
        startsOn: 'received',
        stopsOn: 'completed',
        period: days(30),
        maxExtensionDays: 0,
        source: '《最高人民法院关于人民法院特邀调解的规定》第27条',
      };
    case 'community_correction':
      // 回执: the clock runs for the receiving justice bureau to sign for the delivered files, not to finish the work.
      return { purpose, startsOn: 'requested', stopsOn: 'received', period: days(5), maxExtensionDays: 0, source: '《社区矫正法实施办法》' };
    case 'criminal_transfer':
      return {
        purpose,
        startsOn: 'received',
        stopsOn: 'completed',
        period: days(3),
        maxExtensionDays: 0,
        source: '《行政执法机关移送涉嫌犯罪案件的规定》',
      };
    case 'information_notice':
      return {
        purpose,
        startsOn: 'received',
        stopsOn: 'completed',
        period: workingDays(policy.informationNoticeWorkingDays),
        maxExtensionDays: 0,
        source: '本地信息通报制度（可配置）',
      };
    default: {
      const _exhaustive: never = purpose;
      throw new RangeError(`unknown handoff purpose: ${String(_exhaustive)}`);
    }
  }
}

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

/** The due date itself is still on time: overdue starts the day after. */
export function isOverdue(d: { dueDate: IsoDate; stopped: boolean }, today: IsoDate): boolean {
  return !d.stopped && compareDates(today, d.dueDate) > 0;
}

/** Stopped after its due date (statistics count it as not on time); a running clock is not late yet. */
export function isLate(d: { dueDate: IsoDate; stoppedOn: IsoDate | null }): boolean {
  return d.stoppedOn !== null && compareDates(d.stoppedOn, d.dueDate) > 0;
}
