/**
 * 行政复议: the justice bureau (复议机构) of the people's government that is the 复议机关 — the city's for the city's
 * departments and for a district government, the district's for a district department (行政复议法 (2023) Art. 24) —
 * registers an application against a government agency, sends it
 * the 答复通知, and decides — within 60 days, or 30 for the 涉企 fast track. A corrective decision (纠错)
 * makes the platform issue a copy notice; a decision with a performance date enters the 履行台账 until the
 * department reports it performed.
 */
import { noticeIdFor } from '../../../domain/cases/decide.js';
import { addDays } from '../../../domain/deadlines/index.js';
import { AGENCY_NAMES, GOV, HOUSING, HRSS, LINJIANG, MARKET, QINGSHAN, RESOURCES, company, districtOf, isCityAgency, justiceFor, person } from '../names.js';
import { chinaDay } from '../plan.js';
import { acknowledge, caseIdOf, doc, numberFor, type AckBy, type DemoContext } from './context.js';

export interface ReconsiderationMatter {
  readonly defendant: string;
  /** 被申请行政行为 */
  readonly act: string;
  /** a person, or a private company of this industry (then the 涉企 fast track applies) */
  readonly applicant: 'person' | string;
  /** what performing a corrective decision means here */
  readonly performance: string;
  /** the department's self-correction when the applicant withdraws */
  readonly selfCorrection: string;
}

export const RECONSIDERATION_MATTERS: readonly ReconsiderationMatter[] = [
  {
    defendant: MARKET,
    act: '行政处罚决定（标签标识不符合食品安全标准）',
    applicant: '食品',
    performance: '已撤销原处罚决定，重新调查后认定当事人违法情节轻微并及时改正，依法作出不予行政处罚决定。',
    selfCorrection: '自行撤销原处罚决定，依法适用首违不罚。',
  },
  {
    defendant: MARKET,
    act: '投诉举报不予立案告知',
    applicant: 'person',
    performance: '已对申请人举报的某超市销售过期食品问题立案调查，作出警告并没收违法所得的处罚，书面告知申请人处理结果。',
    selfCorrection: '重新对举报事项进行核查，依法立案并书面告知申请人。',
  },
  {
    defendant: MARKET,
    act: '行政处罚决定（虚假宣传）',
    applicant: '医药连锁',
    performance: '已按复议决定变更后的罚款数额重新出具缴款通知，退还多缴罚款。',
    selfCorrection: '依法变更罚款数额，退还多缴部分。',
  },
  {
    defendant: HRSS,
    act: '不予认定工伤决定',
    applicant: 'person',
    performance: '已重新调查核实，作出认定工伤决定书并送达申请人及用人单位。',
    selfCorrection: '撤销不予认定工伤决定，重新作出认定工伤决定。',
  },
  {
    defendant: HRSS,
    act: '未依法履行劳动保障监察职责',
    applicant: 'person',
    performance: '已对申请人投诉的拖欠工资行为立案调查，责令用人单位限期支付拖欠工资2.8万元，用人单位已支付完毕。',
    selfCorrection: '对投诉事项立案调查，督促用人单位支付拖欠工资。',
  },
  {
    defendant: HRSS,
    act: '社会保险费征缴行政处理决定',
    applicant: '物流',
    performance: '已重新核定补缴基数和期间，撤回滞纳金部分，并书面告知申请人。',
    selfCorrection: '重新核定补缴基数，撤回滞纳金部分。',
  },
  {
    defendant: RESOURCES,
    act: '不动产登记行为',
    applicant: 'person',
    performance: '已依法更正不动产登记簿记载的权利人信息，向申请人换发不动产权证书。',
    selfCorrection: '依申请更正登记，换发不动产权证书。',
  },
  {
    defendant: RESOURCES,
    act: '政府信息公开答复',
    applicant: 'person',
    performance: '已重新作出政府信息公开答复，向申请人提供所申请的土地征收批复文件。',
    selfCorrection: '撤销原答复并重新答复，公开所申请的信息。',
  },
  {
    defendant: RESOURCES,
    act: '责令停止违法行为通知（临时用地）',
    applicant: '混凝土',
    performance: '已撤回责令停止违法行为通知，指导企业依法办理临时用地审批手续。',
    selfCorrection: '撤回通知，指导企业补办临时用地手续。',
  },
  {
    defendant: HOUSING,
    act: '行政处罚决定（建筑施工扬尘）',
    applicant: '建筑劳务',
    performance: '已重新核定违法事实，变更处罚决定并退还多缴罚款。',
    selfCorrection: '重新核定违法事实并变更处罚决定。',
  },
  {
    defendant: HOUSING,
    act: '限期拆除违法建筑决定',
    applicant: 'person',
    performance: '已撤回限期拆除决定，指导申请人依法补办规划许可手续。',
    selfCorrection: '撤回限期拆除决定。',
  },
  {
    defendant: HOUSING,
    act: '未依法履行物业管理监督职责',
    applicant: 'person',
    performance: '已对涉事物业服务企业进行约谈并责令限期整改，书面答复申请人。',
    selfCorrection: '约谈物业服务企业并责令整改，书面答复申请人。',
  },
  {
    defendant: QINGSHAN.department,
    act: '行政处罚决定（占道经营）',
    applicant: '餐饮管理',
    performance: '已撤销原处罚决定，对当事人予以批评教育。',
    selfCorrection: '撤销原处罚决定，适用首违不罚。',
  },
  {
    defendant: LINJIANG.department,
    act: '行政处罚决定（未按规定公示食品经营许可证）',
    applicant: '食品',
    performance: '已变更处罚决定为警告，退还已缴罚款。',
    selfCorrection: '变更处罚决定为警告。',
  },
  {
    defendant: QINGSHAN.gov,
    act: '政府信息公开答复',
    applicant: 'person',
    performance: '已重新答复，向申请人公开所申请的征收补偿方案。',
    selfCorrection: '重新答复并公开所申请的信息。',
  },
];

/** the 复议机关 a suit after 复议维持 names as co-defendant: the people's government whose 复议机构 decided */
export const reconsiderationBodyOf = (defendant: string): string => (isCityAgency(defendant) || defendant === QINGSHAN.gov || defendant === LINJIANG.gov ? GOV : districtOf(defendant).gov);
/** its 复议机构: the 市司法局 or the 区司法局 */
const bureauOf = (defendant: string): string => justiceFor(reconsiderationBodyOf(defendant));
/** 文号 prefix: 岭府行复 (the city government), 青府行复 / 临府行复 (a district government) */
const numberPrefixOf = (defendant: string): string => (reconsiderationBodyOf(defendant) === GOV ? '岭' : districtOf(defendant).short);

/** what a scenario may link a later suit to */
export interface ReconsiderationRecord {
  readonly id: string;
  readonly defendant: string;
  readonly decision: ReconsiderationOutcome['decision'];
  /** when it was decided (epoch ms), if it was */
  readonly decidedAt: number | null;
}

export type ReconsiderationOutcome =
  | { decision: 'upheld' | 'dismissed' | 'mediated' }
  | { decision: 'revoked' | 'altered' | 'confirmed_unlawful'; performedAfterDays?: number }
  | { decision: 'ordered_performance'; performanceDays: number; performedAfterDays?: number }
  | { decision: 'withdrawn' }
  /** registered, never decided (within the limit while recent; overdue when old) */
  | { decision: 'pending' };

export interface ReconsiderationOptions {
  readonly matter: ReconsiderationMatter;
  readonly outcome: ReconsiderationOutcome;
  /** days from registration to the decision */
  readonly decideAfterDays?: number;
  /** 简易程序 */
  readonly fastTrack?: boolean;
  readonly acks?: Partial<Record<string, AckBy>>;
}

const CORRECTIVE = ['revoked', 'altered', 'confirmed_unlawful', 'ordered_performance'];

export function reconsiderationCase(ctx: DemoContext, start: number, options: ReconsiderationOptions): ReconsiderationRecord {
  const { rng, time } = ctx;
  const { matter, outcome } = options;
  const defendant = matter.defendant;
  const JUSTICE = bureauOf(defendant);
  const prefix = numberPrefixOf(defendant);
  const no = numberFor(ctx, `${prefix}府行复`, start);
  const { n, year } = no;
  const id = caseIdOf(prefix === '岭' ? 'ylsfj-fuyi' : prefix === '青' ? 'ylqssfj-fuyi' : 'yljsfj-fuyi', no);
  const record = (decidedAt: number | null): ReconsiderationRecord => ({ id, defendant, decision: outcome.decision, decidedAt });
  const privateEnterprise = matter.applicant !== 'person';
  const applicant = privateEnterprise ? company(rng, matter.applicant) : person(rng);
  const c = ctx.plan.newCase(id, JUSTICE);

  let t = c.add(start, JUSTICE, 'case.registered', {
    kind: 'administrative_reconsideration',
    title: `${applicant}不服${AGENCY_NAMES[defendant]}${matter.act}申请行政复议案`,
    caseNumber: `${prefix}府行复〔${year}〕${n}号`,
    parties: [
      { name: applicant, role: 'applicant', type: privateEnterprise ? 'private_enterprise' : 'person' },
      { name: AGENCY_NAMES[defendant]!, role: 'respondent', type: 'agency' },
    ],
    defendantAgencyId: defendant,
    ...(privateEnterprise ? { privateEnterprise: true } : {}),
    ...(options.fastTrack ? { fastTrack: true } : {}),
  });

  // 答复通知: the department must answer within 10 working days with its evidence
  const h1 = `${id}-h1`;
  t = c.add(time.afterWorkdays(t, rng.int(1, 2)), JUSTICE, 'handoff.requested', {
    handoffId: h1,
    to: defendant,
    purpose: 'reconsideration_response',
    documents: [doc(ctx, '行政复议申请书副本'), doc(ctx, '行政复议答复通知书')],
    note: '请自收到之日起十日内提出书面答复，并提交作出行政行为的证据、依据和其他有关材料。',
  });
  t = c.add(time.afterWorkdays(t, rng.int(0, 1)), defendant, 'handoff.received', { handoffId: h1 });
  c.add(time.afterWorkdays(t, rng.int(2, 8)), defendant, 'handoff.completed', { handoffId: h1, outcome: 'answered' });

  if (outcome.decision === 'pending') {
    c.commit();
    return record(null);
  }

  if (outcome.decision === 'withdrawn') {
    const corrected = c.add(time.afterDays(start, rng.int(12, 20)), defendant, 'self_correction.reported', { agencyId: defendant, action: matter.selfCorrection });
    const decided = c.add(time.afterWorkdays(corrected, rng.int(2, 5)), JUSTICE, 'reconsideration.decided', { decision: 'withdrawn' });
    c.add(time.afterWorkdays(decided, rng.int(1, 3)), JUSTICE, 'case.closed', { outcome: 'withdrawn', note: '被申请人自行纠正，申请人撤回行政复议申请。' });
    c.commit();
    return record(decided);
  }

  const decideAfter = options.decideAfterDays ?? (privateEnterprise || options.fastTrack ? rng.int(16, 28) : rng.int(30, 56));
  const decidedAt = time.afterDays(start, decideAfter);
  const performanceDueAt =
    outcome.decision === 'ordered_performance'
      ? addDays(chinaDay(decidedAt), outcome.performanceDays)
      : outcome.decision === 'revoked' && rng.chance(0.5)
        ? addDays(chinaDay(decidedAt), 60)
        : undefined;
  const decided = c.add(decidedAt, JUSTICE, 'reconsideration.decided', {
    decision: outcome.decision,
    ...(performanceDueAt ? { performanceDueAt } : {}),
  });

  if (!CORRECTIVE.includes(outcome.decision)) {
    const note = outcome.decision === 'mediated' ? '经复议调解，双方达成调解协议，行政争议实质性化解。' : '行政复议决定书已送达双方当事人。';
    c.add(time.afterWorkdays(decided, rng.int(3, 8)), JUSTICE, 'case.closed', { outcome: outcome.decision === 'mediated' ? 'resolved_substantively' : 'judged', note });
    c.commit();
    return record(decided);
  }

  acknowledge(ctx, c, noticeIdFor(id, 'reconsideration'), decided, defendant, options.acks ?? {});
  const performedAfter = 'performedAfterDays' in outcome ? outcome.performedAfterDays : undefined;
  if (performedAfter !== undefined) {
    const performed = c.add(time.afterDays(decided, performedAfter), defendant, 'reconsideration.performed', { summary: matter.performance });
    c.add(time.afterWorkdays(performed, rng.int(2, 6)), JUSTICE, 'case.closed', { outcome: 'judged', note: '复议决定已履行完毕。' });
  }
  c.commit();
  return record(decided);
}
