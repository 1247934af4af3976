/**
 * The demo city 云岭市 for `npm start` (embedded mode, infra/config/demo.config.json): about six months of
 * the city's rule-of-law coordination ending just before `now`, as the steps that produce it — events the
 * agencies publish over the normal ingest path, and the GraphQL mutations organizers (and action-item owners,
 * notice recipients) run. Deterministic: a fixed seed; `now` only decides where "today" is.
 *
 * Placeholders (`ref:`): the platform generates meeting ids, so a mutation step may carry `ref: '<name>'`,
 * binding the id its mutation returns; any string value `ref:<name>` in a later step's args, or in a
 * published event's `subject` or `data`, stands for that id. Meetings are bound as `m-<year>q<quarter>`
 * (and `m-<year>q<quarter>-zt1` for the cancelled 专题协调会); action items as `<meetingRef>:A<n>`, n in
 * assignment order. See infra/demo/loader.ts.
 *
 * Copy notices are the platform's own facts; their ids are deterministic (`noticeIdFor` in
 * domain/cases/decide.ts: `<caseId>/judgment/<judgmentId>` or `<caseId>/reconsideration`), so the scenario
 * writes them directly into `notice.acknowledged` events and `acknowledgeNotice` mutations.
 *
 * Events the platform must reject (to populate `rejections`) have ids starting with `bad-`; each is followed by
 * the corrected resend where a clerk would send one.
 */
import { addDays } from '../../domain/deadlines/index.js';
import { chineseDaysCalendar } from '../calendar/chineseDays.js';
import { liaisonMeetings, quarterlyMeetings } from './meetings.js';
import { HRSS, GOV } from './names.js';
import { chinaDay, chinaMs, DemoTime, Plan } from './plan.js';
import { CaseNumbers, type DemoContext } from './practices/context.js';
import { CRIMES, TRANSFER_MATTERS, policeCriminalCase, transferCase, type CriminalOptions, type TransferOptions } from './practices/criminal.js';
import { LITIGATION_MATTERS, litigationCase, type LitigationOptions } from './practices/litigation.js';
import { mediationCase, type MediationOptions } from './practices/mediation.js';
import { PUBLIC_INTEREST_MATTERS, developerRiskNotice, governmentDisputeCase, publicInterestCase, unpaidWagesAlert } from './practices/other.js';
import { RECONSIDERATION_MATTERS, reconsiderationCase, type ReconsiderationOptions } from './practices/reconsideration.js';
import { seededRng } from './random.js';

export interface CloudEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  data: Record<string, unknown>;
}

export type MutationName =
  | 'scheduleMeeting'
  | 'nominateCase'
  | 'recordMeetingHeld'
  | 'recordResolution'
  | 'assignActionItem'
  | 'completeActionItem'
  | 'cancelMeeting'
  | 'acknowledgeNotice';

export type DemoStep =
  /** published over the normal ingest path by that agency's publisher, as one batch */
  | { kind: 'publish'; agencyId: string; events: CloudEvent[] }
  | {
      kind: 'mutation';
      name: MutationName;
      /** the agency whose principal runs it: the organizer's, or the owner's / recipient's */
      asAgency: string;
      /** RFC 3339: when the organizer did it (the time of the stored meeting event) */
      at: string;
      /** exactly the GraphQL mutation's arguments (graphql.md), e.g. { input: { title, scheduledAt, participants } } */
      args: Record<string, unknown>;
      /** binds the id the mutation returns (Meeting.id, ActionItem.id) to `ref:<ref>` for later steps */
      ref?: string;
    };

/** Changing it changes the whole city: names, dates, outcomes. */
const SEED = 0x5e_d0_20_24;
const DAY = 86_400_000;

export function demoScenario(now: Date): DemoStep[] {
  const nowMs = Math.floor(now.getTime() / 1000) * 1000;
  const rng = seededRng(SEED);
  const time = new DemoTime(nowMs, chineseDaysCalendar(), rng);
  const meetings = quarterlyMeetings(time, rng);

  // six months, or longer so that the earliest meeting has six weeks of history before it
  const earliest = meetings[0] ? chinaMs(addDays(meetings[0].date, -45), 9 * 60) : nowMs;
  const windowStart = Math.min(nowMs - 182 * DAY, earliest);
  const span = nowMs - windowStart;
  const plan = new Plan(time);
  const ctx: DemoContext = { plan, time, rng, numbers: new CaseNumbers(rng) };
  /** an office moment at fraction f of the window */
  const at = (f: number) => time.office(time.workday(chinaDay(windowStart + f * span)));

  for (const [f, options] of MEDIATION) mediationCase(ctx, typeof f === 'number' ? at(f) : time.ago(f.ago), options);
  LITIGATION.forEach(([f, options]) => litigationCase(ctx, typeof f === 'number' ? at(f) : time.ago(f.ago), options));
  RECONSIDERATION.forEach(([f, options]) => reconsiderationCase(ctx, typeof f === 'number' ? at(f) : time.ago(f.ago), options));
  CRIMINAL.forEach(([f, options]) => policeCriminalCase(ctx, typeof f === 'number' ? at(f) : time.ago(f.ago), options));
  TRANSFERS.forEach(([f, options]) => transferCase(ctx, typeof f === 'number' ? at(f) : time.ago(f.ago), options));

  publicInterestCase(ctx, at(0.05), { matter: PUBLIC_INTEREST_MATTERS[0]!, reply: 'adopted' });
  publicInterestCase(ctx, at(0.2), { matter: PUBLIC_INTEREST_MATTERS[1]!, reply: 'adopted' });
  publicInterestCase(ctx, time.ago(42), { matter: PUBLIC_INTEREST_MATTERS[2]!, reply: 'none' });
  publicInterestCase(ctx, at(0.4), { matter: PUBLIC_INTEREST_MATTERS[3]!, reply: 'not_adopted' });
  publicInterestCase(ctx, at(0.7), { matter: PUBLIC_INTEREST_MATTERS[4]!, reply: 'adopted' });

  governmentDisputeCase(ctx, at(0.02), { major: true, cause: '建设工程施工合同纠纷', counterparty: '建筑劳务', amount: '标的额约2.3亿元' });
  governmentDisputeCase(ctx, at(0.25), { major: false, cause: '房屋租赁合同纠纷', counterparty: '餐饮管理', amount: '标的额约86万元', resolvedAfterDays: 60 });
  governmentDisputeCase(ctx, at(0.45), { major: true, cause: '国有建设用地使用权出让合同纠纷', counterparty: '置业', amount: '标的额约1.1亿元' });
  governmentDisputeCase(ctx, at(0.65), { major: false, cause: '委托代建合同纠纷', counterparty: '装饰工程', amount: '标的额约430万元', resolvedAfterDays: 50 });

  developerRiskNotice(ctx, at(0.12), { govUnanswered: true, badNotReceiver: true });
  unpaidWagesAlert(ctx, at(0.35));
  developerRiskNotice(ctx, at(0.7), { govUnanswered: false, badNotReceiver: false });

  // the newest fact of all: a registration whose first send carried tomorrow's time
  policeCriminalCase(ctx, nowMs - 40 * 60_000, { crime: CRIMES.dui!, review: 'never', badFutureTime: true });

  liaisonMeetings(plan, rng, meetings);
  return plan.steps();
}

/** Where a case starts: a fraction of the window, or so many days before today (for clocks that must be overdue now). */
type Start = number | { ago: number };

const MEDIATION: readonly [Start, MediationOptions][] = [
  [0.02, { variant: 'mediated', badMissingPurpose: true }],
  [0.06, { variant: 'failed' }],
  [0.1, { variant: 'mediated', badUnknownType: true }],
  [0.14, { variant: 'returned' }],
  [0.19, { variant: 'mediated_late' }],
  [0.23, { variant: 'mediated', badUnknownCase: true }],
  [0.28, { variant: 'withdrawn' }],
  [0.31, { variant: 'mediated' }],
  [0.33, { variant: 'failed' }],
  [0.38, { variant: 'not_confirmed' }],
  [0.43, { variant: 'mediated' }],
  [0.48, { variant: 'mediated' }],
  [0.51, { variant: 'mediated' }],
  [0.54, { variant: 'failed' }],
  [0.6, { variant: 'mediated' }],
  [0.66, { variant: 'mediated' }],
  [0.69, { variant: 'failed' }],
  [0.72, { variant: 'mediated_late' }],
  [0.78, { variant: 'mediated' }],
  [0.84, { variant: 'failed' }],
  [0.9, { variant: 'mediated' }],
  [0.95, { variant: 'mediated' }],
  [{ ago: 46 }, { variant: 'overdue', badExtension: true }],
  [{ ago: 38 }, { variant: 'overdue' }],
];

const matter = (i: number) => LITIGATION_MATTERS[i]!;
const LITIGATION: readonly [Start, LitigationOptions][] = [
  [0.01, { matter: matter(0), outcome: 'agency_lost', headAppeared: false, suggestion: 'unanswered', acks: { [GOV]: 'none' }, badAgencyJudgment: true, badRegisteredTwice: true }],
  [0.05, { matter: matter(7), outcome: 'withdrawn', headAppeared: false }],
  [0.09, { matter: matter(2), outcome: 'agency_won', headAppeared: true }],
  [0.13, { matter: matter(9), outcome: 'agency_lost', headAppeared: true, suggestion: 'adopted', acks: { [GOV]: 'mutation' } }],
  [0.18, { matter: matter(5), outcome: 'dismissed', headAppeared: false, badWrongSource: HRSS }],
  [0.23, { matter: matter(1), outcome: 'agency_won', headAppeared: true }],
  [0.28, { matter: matter(8), outcome: 'mediated', headAppeared: true }],
  [0.33, { matter: matter(3), outcome: 'agency_lost', headAppeared: false, suggestion: 'not_adopted' }],
  [0.39, { matter: matter(10), outcome: 'agency_won', headAppeared: false }],
  [0.45, { matter: matter(6), outcome: 'agency_lost', headAppeared: true, acks: { 'yl-housing': 'mutation', 'yl-justice': 'none' } }],
  [0.51, { matter: matter(4), outcome: 'agency_won', headAppeared: true }],
  [0.57, { matter: matter(0), outcome: 'agency_won', headAppeared: false }],
  [0.63, { matter: matter(7), outcome: 'agency_lost', headAppeared: true, acks: { [GOV]: 'none' } }],
  [0.7, { matter: matter(5), outcome: 'withdrawn', headAppeared: false }],
  [0.78, { matter: matter(11), outcome: 'agency_won', headAppeared: true }],
  [0.86, { matter: matter(2), outcome: 'agency_lost', headAppeared: true }],
  [0.93, { matter: matter(7), outcome: 'agency_won', headAppeared: false }],
  [{ ago: 16 }, { matter: matter(10), outcome: 'agency_won', headAppeared: true, noticeUnanswered: true }],
];

const rm = (i: number) => RECONSIDERATION_MATTERS[i]!;
const RECONSIDERATION: readonly [Start, ReconsiderationOptions][] = [
  [0.02, { matter: rm(0), outcome: { decision: 'revoked', performedAfterDays: 20 } }],
  [0.06, { matter: rm(3), outcome: { decision: 'revoked', performedAfterDays: 25 } }],
  [0.1, { matter: rm(1), outcome: { decision: 'ordered_performance', performanceDays: 30, performedAfterDays: 38 } }],
  [0.14, { matter: rm(6), outcome: { decision: 'upheld' } }],
  [0.18, { matter: rm(9), outcome: { decision: 'upheld' }, fastTrack: true }],
  [0.22, { matter: rm(4), outcome: { decision: 'ordered_performance', performanceDays: 30 }, acks: { [GOV]: 'none' } }],
  [0.27, { matter: rm(7), outcome: { decision: 'confirmed_unlawful', performedAfterDays: 15 } }],
  [0.32, { matter: rm(2), outcome: { decision: 'altered', performedAfterDays: 10 }, acks: { [GOV]: 'none' } }],
  [0.37, { matter: rm(10), outcome: { decision: 'mediated' } }],
  [0.42, { matter: rm(3), outcome: { decision: 'withdrawn' } }],
  [0.48, { matter: rm(1), outcome: { decision: 'dismissed' } }],
  [0.54, { matter: rm(8), outcome: { decision: 'revoked', performedAfterDays: 12 } }],
  [0.6, { matter: rm(11), outcome: { decision: 'ordered_performance', performanceDays: 45, performedAfterDays: 40 } }],
  [0.68, { matter: rm(5), outcome: { decision: 'ordered_performance', performanceDays: 45 }, acks: { 'yl-hrss': 'mutation' } }],
  [0.75, { matter: rm(7), outcome: { decision: 'ordered_performance', performanceDays: 30, performedAfterDays: 21 } }],
  [0.8, { matter: rm(0), outcome: { decision: 'upheld' } }],
  [0.9, { matter: rm(9), outcome: { decision: 'pending' } }],
  [0.96, { matter: rm(1), outcome: { decision: 'pending' } }],
  [{ ago: 72 }, { matter: rm(6), outcome: { decision: 'pending' } }],
];

const CRIMINAL: readonly [Start, CriminalOptions][] = [
  [
    0.01,
    {
      crime: CRIMES.illegalBusiness!,
      review: 'prosecuted',
      suggestion: { to: 'yl-market', summary: '针对案件暴露出的无证经营成品油问题，建议加强对加油站点以外成品油经营行为的日常巡查，建立与公安机关的线索移送机制。' },
    },
  ],
  [0.04, { crime: CRIMES.dui!, review: 'prosecuted', communityCorrection: true }],
  [
    0.08,
    {
      crime: CRIMES.theft!,
      review: 'prosecuted',
      supplementary: true,
      suggestion: {
        to: 'yl-housing',
        summary: '针对住宅小区电动自行车集中停放场所安防缺失、盗窃案件多发问题，建议督促物业服务企业完善监控和门禁设施。',
        reply: '已印发通知督促全市212个住宅小区物业服务企业完善电动自行车停放场所监控，已完成整改186个。',
      },
    },
  ],
  [0.13, { crime: CRIMES.fraud!, review: 'prosecuted', extendReview: true, extendTrial: true }],
  [0.18, { crime: CRIMES.cardRenting!, review: 'prosecuted', communityCorrection: true, lateDelivery: true }],
  [0.21, { crime: CRIMES.dui!, review: 'prosecuted', communityCorrection: true }],
  [0.24, { crime: CRIMES.assault!, review: 'not_prosecuted' }],
  [0.3, { crime: CRIMES.concealing!, review: 'prosecuted', communityCorrection: true }],
  [
    0.36,
    {
      crime: CRIMES.accident!,
      review: 'prosecuted',
      suggestion: {
        to: 'yl-housing',
        summary: '针对建筑施工高处作业安全管理漏洞，建议开展在建工地安全生产专项检查，压实施工总承包单位安全管理责任。',
        reply: '已开展在建工地安全生产专项检查，检查项目97个，整改隐患341处，对3家企业暂扣安全生产许可证。',
      },
    },
  ],
  [0.44, { crime: CRIMES.affray!, review: 'prosecuted', supplementary: true }],
  [0.48, { crime: CRIMES.dui!, review: 'prosecuted', communityCorrection: true }],
  [0.52, { crime: CRIMES.deposits!, review: 'prosecuted', extendReview: true }],
  [0.57, { crime: CRIMES.theft!, review: 'prosecuted', supplementary: true }],
  [0.62, { crime: CRIMES.dui!, review: 'prosecuted', communityCorrection: true }],
  [0.75, { crime: CRIMES.theft!, review: 'prosecuted' }],
  [0.85, { crime: CRIMES.dui!, review: 'prosecuted', communityCorrection: true }],
  [{ ago: 75 }, { crime: CRIMES.traffic!, review: 'never' }],
];

const TRANSFERS: readonly [Start, TransferOptions][] = [
  [0.03, { matter: TRANSFER_MATTERS.food!, variant: 'continued' }],
  [0.09, { matter: TRANSFER_MATTERS.farmland!, variant: 'returned', badUnknownAgency: true }],
  [0.16, { matter: TRANSFER_MATTERS.wages!, variant: 'late', badWrongOutcome: true }],
  [0.3, { matter: TRANSFER_MATTERS.trademark!, variant: 'not_opened' }],
  [0.5, { matter: TRANSFER_MATTERS.mining!, variant: 'opened' }],
  [{ ago: 20 }, { matter: TRANSFER_MATTERS.bidRigging!, variant: 'overdue' }],
];
