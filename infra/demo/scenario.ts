/**
 * The demo city 云岭市 for `npm start` (embedded mode, infra/config/demo.config.json; its agencies in names.ts): about six months of
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
 * Case numbers (案号, 文号) are placeholders while the city is written and are numbered at the end, per series in the
 * order of registration (`CaseNumbers` in practices/context.ts); which court, procuratorate and police handle a case
 * is the law's rule in jurisdiction.ts.
 *
 * Events the platform must reject (to populate `rejections`) have ids starting with `bad-`; each is followed by
 * the corrected resend where a clerk would send one.
 */
import { addDays } from '../../domain/deadlines/index.js';
import { chineseDaysCalendar } from '../calendar/chineseDays.js';
import { liaisonMeetings, quarterlyMeetings } from './meetings.js';
import { GOV, HOUSING, HRSS, LINJIANG, QINGSHAN, RESOURCES, STATE_ENTERPRISES } from './names.js';
import { chinaDay, chinaMs, DemoTime, Plan } from './plan.js';
import { CaseNumbers, type DemoContext } from './practices/context.js';
import { CRIMES, TRANSFER_MATTERS, policeCriminalCase, transferCase, type CriminalOptions, type TransferOptions } from './practices/criminal.js';
import { LITIGATION_MATTERS, litigationCase, type LitigationOptions } from './practices/litigation.js';
import { mediationCase, type MediationOptions } from './practices/mediation.js';
import { PUBLIC_INTEREST_MATTERS, developerRiskNotice, governmentDisputeCase, publicInterestCase, unpaidWagesAlert } from './practices/other.js';
import { RECONSIDERATION_MATTERS, reconsiderationBodyOf, reconsiderationCase, type ReconsiderationOptions } from './practices/reconsideration.js';
import { filingsReports, townshipReferral, type ReferralOptions } from './practices/township.js';
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

  const startOf = (f: Start) => (typeof f === 'number' ? at(f) : time.ago(f.ago));
  for (const [f, options] of MEDIATION) mediationCase(ctx, startOf(f), options);
  for (const [f, options] of REFERRALS) townshipReferral(ctx, startOf(f), options);
  LITIGATION.forEach(([f, options]) => litigationCase(ctx, startOf(f), options));
  const reconsiderations = RECONSIDERATION.map(([f, options]) => reconsiderationCase(ctx, startOf(f), options));
  // 复议维持 and then a suit (行政诉讼法 Art. 26): the department and the 复议机关 are co-defendants and the suit names
  // the reconsideration case (reconsiderationCaseId); the two earliest upheld decisions are taken to court
  reconsiderations
    .filter((r) => r.decision === 'upheld' && r.decidedAt !== null)
    .slice(0, 2)
    .forEach((r, i) => {
      const matter = LITIGATION_MATTERS.find((m) => m.defendant === r.defendant) ?? LITIGATION_MATTERS[0]!;
      litigationCase(ctx, time.afterDays(r.decidedAt!, 9 + i * 3), {
        matter,
        outcome: 'agency_won',
        headAppeared: i === 0,
        afterReconsideration: { caseId: r.id, reconsiderationBody: reconsiderationBodyOf(r.defendant) },
      });
    });
  CRIMINAL.forEach(([f, options]) => policeCriminalCase(ctx, startOf(f), options));
  TRANSFERS.forEach(([f, options]) => transferCase(ctx, startOf(f), options));

  publicInterestCase(ctx, at(0.05), { matter: PUBLIC_INTEREST_MATTERS[0]!, reply: 'adopted' });
  publicInterestCase(ctx, at(0.2), { matter: PUBLIC_INTEREST_MATTERS[1]!, reply: 'adopted' });
  publicInterestCase(ctx, time.ago(42), { matter: PUBLIC_INTEREST_MATTERS[2]!, reply: 'none' });
  publicInterestCase(ctx, at(0.4), { matter: PUBLIC_INTEREST_MATTERS[3]!, reply: 'not_adopted' });
  publicInterestCase(ctx, at(0.7), { matter: PUBLIC_INTEREST_MATTERS[4]!, reply: 'adopted' });

  // 谁主管、谁负责: the 主管 department files — for a state enterprise's contract, the department that oversees the project
  governmentDisputeCase(ctx, at(0.02), {
    major: true,
    cause: '建设工程施工合同纠纷',
    counterparty: '建筑劳务',
    amount: '标的额约2.3亿元',
    yuan: 230_000_000,
    responsible: HOUSING,
    stateEnterprise: STATE_ENTERPRISES[0],
    consultedAfterDays: [9, 48],
    lost: { afterDays: 95, partially: true, lossYuan: 3_860_000, finding: 'fault_found', measures: '项目合同履约监管不到位，对分管负责人进行诫勉谈话，责令承办单位作出书面检查。' },
  });
  governmentDisputeCase(ctx, at(0.25), { major: false, cause: '房屋租赁合同纠纷', counterparty: '餐饮管理', amount: '标的额约86万元', yuan: 860_000, responsible: QINGSHAN.gov, resolvedAfterDays: 60, servedDaysBefore: 12 });
  // the land-grant contract's grantor (出让人) is the natural-resources department itself, not a state enterprise
  governmentDisputeCase(ctx, at(0.45), { major: true, cause: '国有建设用地使用权出让合同纠纷', counterparty: '置业', amount: '标的额约1.1亿元', yuan: 110_000_000, responsible: RESOURCES, consultedAfterDays: [12] });
  governmentDisputeCase(ctx, at(0.65), { major: false, cause: '委托代建合同纠纷', counterparty: '装饰工程', amount: '标的额约430万元', yuan: 4_300_000, responsible: HOUSING, stateEnterprise: STATE_ENTERPRISES[2], resolvedAfterDays: 50 });

  developerRiskNotice(ctx, at(0.12), { govUnanswered: true, badNotReceiver: true });
  unpaidWagesAlert(ctx, at(0.35));
  developerRiskNotice(ctx, at(0.7), { govUnanswered: false, badNotReceiver: false });

  // the newest fact of all: a registration whose first send carried tomorrow's time
  policeCriminalCase(ctx, nowMs - 40 * 60_000, { crime: CRIMES.dui!, review: 'never', badFutureTime: true });

  filingsReports(ctx, windowStart);

  liaisonMeetings(plan, rng, meetings);
  return ctx.numbers.resolve(plan.steps());
}

/** Where a case starts: a fraction of the window, or so many days before today (for clocks that must be overdue now). */
type Start = number | { ago: number };

const QS = QINGSHAN;
const LJ = LINJIANG;
// 诉前委派调解 at the two basic-level courts and their 人民法庭 (the 中级人民法院 has no such first-instance disputes)
const MEDIATION: readonly [Start, MediationOptions][] = [
  [0.02, { variant: 'mediated', badMissingPurpose: true }],
  [0.06, { variant: 'failed', district: LJ }],
  [0.1, { variant: 'mediated', badUnknownType: true }],
  [0.14, { variant: 'returned', district: LJ }],
  [0.19, { variant: 'mediated_late' }],
  [0.23, { variant: 'mediated', badUnknownCase: true, district: LJ }],
  [0.28, { variant: 'withdrawn' }],
  [0.31, { variant: 'mediated', district: QS, township: true }],
  [0.38, { variant: 'not_confirmed', district: LJ }],
  [0.43, { variant: 'mediated' }],
  [0.51, { variant: 'mediated', district: LJ, township: true }],
  [0.54, { variant: 'failed' }],
  [0.6, { variant: 'mediated', district: LJ }],
  [0.69, { variant: 'failed', district: LJ }],
  [0.72, { variant: 'mediated_late' }],
  [0.84, { variant: 'mediated', district: LJ }],
  [0.93, { variant: 'mediated' }],
  [{ ago: 46 }, { variant: 'overdue', badExtension: true }],
  [{ ago: 38 }, { variant: 'overdue', district: LJ }],
];

// 两所一庭: the townships' 派出所 and 人民法庭 pass disputes to the 司法所
const REFERRALS: readonly [Start, ReferralOptions][] = [
  [0.04, { district: QS, from: 'police', outcome: 'mediated' }],
  [0.12, { district: LJ, from: 'court', outcome: 'mediated' }],
  [0.2, { district: QS, from: 'court', outcome: 'referred_to_litigation' }],
  [0.33, { district: LJ, from: 'police', outcome: 'mediated' }],
  [0.47, { district: QS, from: 'police', outcome: 'failed' }],
  [0.58, { district: LJ, from: 'police', outcome: 'mediated' }],
  [0.74, { district: QS, from: 'court', outcome: 'mediated' }],
  [0.88, { district: LJ, from: 'court', outcome: 'mediated' }],
  [{ ago: 30 }, { district: QS, from: 'police', outcome: 'open' }],
  [{ ago: 12 }, { district: LJ, from: 'court', outcome: 'open' }],
  [{ ago: 9 }, { district: QS, from: 'court', outcome: 'open' }],
  [{ ago: 6 }, { district: LJ, from: 'police', outcome: 'open' }],
];

const matter = (i: number) => LITIGATION_MATTERS[i]!;
/**
 * First-instance suits: about one in ten judged against the agency — the 败诉率 a city's 通报 reports (5–15 %) —,
 * the rest won, dismissed, withdrawn after 自我纠错 or mediated; two appealed to the 中级人民法院.
 */
const LITIGATION: readonly [Start, LitigationOptions][] = [
  [0.01, { matter: matter(0), outcome: 'agency_lost', headAppeared: false, suggestion: 'unanswered', acks: { [GOV]: 'none' }, badAgencyJudgment: true, badRegisteredTwice: true }],
  [0.03, { matter: matter(13), outcome: 'agency_won', headAppeared: true, appealed: true }],
  [0.05, { matter: matter(7), outcome: 'withdrawn', headAppeared: false }],
  [0.07, { matter: matter(2), outcome: 'agency_won', headAppeared: true }],
  [0.09, { matter: matter(9), outcome: 'agency_won', headAppeared: true, appealed: true }],
  [0.11, { matter: matter(14), outcome: 'dismissed', headAppeared: false, suggestion: 'unanswered' }],
  [0.13, { matter: matter(1), outcome: 'agency_won', headAppeared: true, suggestion: 'adopted' }],
  [0.15, { matter: matter(12), outcome: 'mediated', headAppeared: true, suggestion: 'unanswered' }],
  [0.17, { matter: matter(5), outcome: 'dismissed', headAppeared: false, badWrongSource: HRSS }],
  [0.19, { matter: matter(15), outcome: 'agency_won', headAppeared: true }],
  [0.21, { matter: matter(8), outcome: 'mediated', headAppeared: true }],
  [0.23, { matter: matter(3), outcome: 'agency_won', headAppeared: false, suggestion: 'not_adopted' }],
  [0.25, { matter: matter(10), outcome: 'agency_won', headAppeared: false }],
  [0.27, { matter: matter(16), outcome: 'withdrawn', headAppeared: false }],
  [0.29, { matter: matter(4), outcome: 'agency_won', headAppeared: true }],
  [0.31, { matter: matter(6), outcome: 'agency_won', headAppeared: true }],
  [0.33, { matter: matter(11), outcome: 'mediated', headAppeared: true }],
  [0.35, { matter: matter(0), outcome: 'agency_won', headAppeared: false }],
  [0.37, { matter: matter(12), outcome: 'dismissed', headAppeared: true }],
  [0.4, { matter: matter(6), outcome: 'agency_lost', headAppeared: true, acks: { [HOUSING]: 'mutation', 'yl-justice': 'none' } }],
  [0.42, { matter: matter(7), outcome: 'agency_won', headAppeared: false }],
  [0.45, { matter: matter(13), outcome: 'agency_won', headAppeared: true }],
  [0.48, { matter: matter(2), outcome: 'dismissed', headAppeared: true }],
  [0.51, { matter: matter(5), outcome: 'withdrawn', headAppeared: false }],
  [0.54, { matter: matter(14), outcome: 'agency_won', headAppeared: true }],
  [0.57, { matter: matter(9), outcome: 'agency_won', headAppeared: true }],
  [0.6, { matter: matter(15), outcome: 'mediated', headAppeared: true }],
  [0.64, { matter: matter(14), outcome: 'agency_lost', headAppeared: true, acks: { [GOV]: 'none' } }],
  [0.68, { matter: matter(1), outcome: 'agency_won', headAppeared: false }],
  [0.72, { matter: matter(3), outcome: 'dismissed', headAppeared: true }],
  [0.78, { matter: matter(11), outcome: 'agency_won', headAppeared: true }],
  [0.86, { matter: matter(12), outcome: 'agency_won', headAppeared: true }],
  [0.93, { matter: matter(16), outcome: 'agency_won', headAppeared: false }],
  [{ ago: 16 }, { matter: matter(10), outcome: 'agency_won', headAppeared: true, noticeUnanswered: true }],
];

const rm = (i: number) => RECONSIDERATION_MATTERS[i]!;
/** about one decision in ten corrects the act (复议纠错率 5–15 %); the rest upheld, dismissed, mediated or withdrawn */
const RECONSIDERATION: readonly [Start, ReconsiderationOptions][] = [
  [0.01, { matter: rm(0), outcome: { decision: 'upheld' } }],
  [0.03, { matter: rm(6), outcome: { decision: 'upheld' } }],
  [0.05, { matter: rm(3), outcome: { decision: 'revoked', performedAfterDays: 25 } }],
  [0.07, { matter: rm(12), outcome: { decision: 'dismissed' } }],
  [0.09, { matter: rm(1), outcome: { decision: 'upheld' } }],
  [0.11, { matter: rm(9), outcome: { decision: 'upheld' }, fastTrack: true }],
  [0.13, { matter: rm(13), outcome: { decision: 'mediated' } }],
  [0.15, { matter: rm(4), outcome: { decision: 'upheld' } }],
  [0.17, { matter: rm(14), outcome: { decision: 'dismissed' } }],
  [0.19, { matter: rm(7), outcome: { decision: 'upheld' } }],
  [0.22, { matter: rm(4), outcome: { decision: 'ordered_performance', performanceDays: 30 }, acks: { [GOV]: 'none' } }],
  [0.25, { matter: rm(2), outcome: { decision: 'upheld' } }],
  [0.27, { matter: rm(10), outcome: { decision: 'mediated' } }],
  [0.29, { matter: rm(3), outcome: { decision: 'withdrawn' } }],
  [0.31, { matter: rm(8), outcome: { decision: 'upheld' } }],
  [0.33, { matter: rm(11), outcome: { decision: 'dismissed' } }],
  [0.35, { matter: rm(12), outcome: { decision: 'upheld' } }],
  [0.37, { matter: rm(5), outcome: { decision: 'upheld' } }],
  [0.4, { matter: rm(5), outcome: { decision: 'ordered_performance', performanceDays: 45, performedAfterDays: 40 }, acks: { [HRSS]: 'mutation' } }],
  [0.43, { matter: rm(0), outcome: { decision: 'upheld' } }],
  [0.46, { matter: rm(13), outcome: { decision: 'upheld' } }],
  [0.49, { matter: rm(6), outcome: { decision: 'dismissed' } }],
  [0.52, { matter: rm(9), outcome: { decision: 'upheld' } }],
  [0.55, { matter: rm(1), outcome: { decision: 'withdrawn' } }],
  [0.58, { matter: rm(14), outcome: { decision: 'upheld' } }],
  [0.62, { matter: rm(7), outcome: { decision: 'mediated' } }],
  [0.66, { matter: rm(2), outcome: { decision: 'upheld' } }],
  [0.71, { matter: rm(11), outcome: { decision: 'upheld' } }],
  [0.8, { matter: rm(8), outcome: { decision: 'upheld' } }],
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
  [0.04, { crime: CRIMES.dui!, review: 'prosecuted', communityCorrection: true, absconds: { afterDays: 20, locatedAfterDays: 12 } }],
  [
    0.08,
    {
      crime: CRIMES.theft!,
      district: LJ,
      review: 'prosecuted',
      supplementary: true,
      suggestion: {
        to: 'yl-housing',
        summary: '针对住宅小区电动自行车集中停放场所安防缺失、盗窃案件多发问题，建议督促物业服务企业完善监控和门禁设施。',
        reply: '已印发通知督促全市212个住宅小区物业服务企业完善电动自行车停放场所监控，已完成整改186个。',
      },
    },
  ],
  [0.1, { crime: CRIMES.drugs!, review: 'prosecuted', extendReview: true }],
  [0.13, { crime: CRIMES.fraud!, review: 'prosecuted', extendReview: true, extendTrial: true }],
  [0.18, { crime: CRIMES.cardRenting!, district: LJ, review: 'prosecuted', communityCorrection: true, lateDelivery: true }],
  [0.21, { crime: CRIMES.dui!, district: LJ, residence: QS, review: 'prosecuted', communityCorrection: true, absconds: { afterDays: 25 } }],
  [0.24, { crime: CRIMES.assault!, review: 'not_prosecuted' }],
  [0.3, { crime: CRIMES.concealing!, residence: LJ, review: 'prosecuted', communityCorrection: true }],
  [
    0.36,
    {
      crime: CRIMES.accident!,
      district: LJ,
      review: 'prosecuted',
      suggestion: {
        to: 'yl-housing',
        summary: '针对建筑施工高处作业安全管理漏洞，建议开展在建工地安全生产专项检查，压实施工总承包单位安全管理责任。',
        reply: '已开展在建工地安全生产专项检查，检查项目97个，整改隐患341处，对3家企业暂扣安全生产许可证。',
      },
    },
  ],
  [
    0.44,
    {
      crime: CRIMES.affray!,
      review: 'prosecuted',
      supplementary: true,
      suggestion: {
        to: QS.gov,
        summary: '针对辖区娱乐场所周边寻衅滋事案件多发问题，建议组织公安、市场监管、综合执法等部门开展娱乐场所周边治安环境综合整治。',
        reply: '已部署为期三个月的娱乐场所周边综合整治，检查场所46家，责令整改9家，案件同比下降。',
      },
    },
  ],
  [0.48, { crime: CRIMES.dui!, district: LJ, review: 'prosecuted', communityCorrection: true }],
  [0.52, { crime: CRIMES.deposits!, review: 'prosecuted', extendReview: true }],
  [
    0.57,
    {
      crime: CRIMES.theft!,
      review: 'prosecuted',
      supplementary: true,
      suggestion: { to: QS.police, summary: '针对办案中发现的涉案财物登记、保管不规范问题，建议建立涉案财物集中管理和流转台账制度。' },
    },
  ],
  [0.62, { crime: CRIMES.dui!, residence: LJ, review: 'prosecuted', communityCorrection: true, neverReports: true }],
  [
    0.75,
    {
      crime: CRIMES.theft!,
      district: LJ,
      review: 'prosecuted',
      suggestion: { to: LJ.police, summary: '针对辖区农村地区盗窃电动车、农用物资案件多发问题，建议加强农村治安巡防和视频监控建设。', reply: '已在江口镇等重点村组增设视频监控点位32处，组建群防群治巡逻队5支。' },
    },
  ],
  [0.85, { crime: CRIMES.dui!, review: 'prosecuted', communityCorrection: true }],
  [{ ago: 75 }, { crime: CRIMES.traffic!, district: LJ, review: 'never' }],
];

const TRANSFERS: readonly [Start, TransferOptions][] = [
  [0.03, { matter: TRANSFER_MATTERS.food!, variant: 'continued' }],
  [0.09, { matter: TRANSFER_MATTERS.farmland!, variant: 'returned', badUnknownAgency: true }],
  [0.16, { matter: TRANSFER_MATTERS.wages!, variant: 'late', badWrongOutcome: true }],
  [0.3, { matter: TRANSFER_MATTERS.trademark!, variant: 'not_opened' }],
  [0.4, { matter: TRANSFER_MATTERS.unlicensedFood!, variant: 'opened' }],
  [0.5, { matter: TRANSFER_MATTERS.mining!, variant: 'opened' }],
  [{ ago: 20 }, { matter: TRANSFER_MATTERS.bidRigging!, variant: 'overdue' }],
];
