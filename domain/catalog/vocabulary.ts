/**
 * The fixed vocabulary of events.md §3–§4: case kinds, handoff purposes and the values their facts may
 * carry, with the Chinese names people read. Pure data: the catalog schemas, the deciders and the
 * timeline summaries all read from here so a code is spelled in one place only.
 */
import type { AgencyKind } from '../shared/agencies.js';
import { AGENCY_KINDS } from '../shared/agencies.js';
import {
  DAYS_EXTENSION_GROUNDS,
  HANDOFF_EXTENSION_GROUNDS,
  HANDOFF_PROCEDURES,
  HANDOFF_PURPOSES,
  POSSIBLE_SENTENCES,
  type HandoffExtensionGround,
  type HandoffProcedure,
  type HandoffPurpose,
  type PossibleSentence,
} from '../deadlines/index.js';

export const CASE_KIND_CODES = [
  'administrative_litigation',
  'administrative_reconsideration',
  'civil_dispute',
  'criminal',
  'public_interest',
  'government_dispute',
] as const;
export type CaseKind = (typeof CASE_KIND_CODES)[number];

export interface CaseKindInfo {
  readonly code: CaseKind;
  readonly name: string;
  /** judgment.issued outcomes that fit this kind (events.md §3 Court) */
  readonly judgmentOutcomes: readonly JudgmentOutcome[];
  /** the case names a defendant government agency (被告/被申请人) */
  readonly requiresDefendantAgency: boolean;
}

export const JUDGMENT_OUTCOMES = [
  'agency_lost',
  'agency_won',
  'dismissed',
  'withdrawn',
  'mediated',
  'convicted',
  'acquitted',
  'decided',
] as const;
export type JudgmentOutcome = (typeof JUDGMENT_OUTCOMES)[number];

const OTHER_JUDGMENT_OUTCOMES: readonly JudgmentOutcome[] = ['decided', 'withdrawn', 'mediated'];

export const CASE_KINDS: Readonly<Record<CaseKind, CaseKindInfo>> = {
  administrative_litigation: {
    code: 'administrative_litigation',
    name: '行政诉讼',
    judgmentOutcomes: ['agency_lost', 'agency_won', 'dismissed', 'withdrawn', 'mediated'],
    requiresDefendantAgency: true,
  },
  administrative_reconsideration: {
    code: 'administrative_reconsideration',
    name: '行政复议',
    judgmentOutcomes: OTHER_JUDGMENT_OUTCOMES,
    requiresDefendantAgency: true,
  },
  civil_dispute: { code: 'civil_dispute', name: '民事纠纷', judgmentOutcomes: OTHER_JUDGMENT_OUTCOMES, requiresDefendantAgency: false },
  criminal: { code: 'criminal', name: '刑事', judgmentOutcomes: ['convicted', 'acquitted'], requiresDefendantAgency: false },
  public_interest: { code: 'public_interest', name: '公益诉讼', judgmentOutcomes: OTHER_JUDGMENT_OUTCOMES, requiresDefendantAgency: false },
  government_dispute: {
    code: 'government_dispute',
    name: '涉党政机关、国有企业法律纠纷',
    judgmentOutcomes: OTHER_JUDGMENT_OUTCOMES,
    requiresDefendantAgency: false,
  },
};

export const isCaseKind = (value: unknown): value is CaseKind => typeof value === 'string' && (CASE_KIND_CODES as readonly string[]).includes(value);

export const JUDGMENT_OUTCOME_NAMES: Readonly<Record<JudgmentOutcome, string>> = {
  agency_lost: '行政机关败诉',
  agency_won: '行政机关胜诉',
  dismissed: '驳回起诉',
  withdrawn: '撤诉',
  mediated: '调解结案',
  convicted: '有罪判决',
  acquitted: '无罪判决',
  decided: '判决/裁定',
};

export const PARTY_ROLES = ['plaintiff', 'defendant', 'applicant', 'respondent', 'suspect', 'offender', 'victim', 'third_party'] as const;
export type PartyRole = (typeof PARTY_ROLES)[number];
export const PARTY_TYPES = ['person', 'enterprise', 'private_enterprise', 'state_enterprise', 'agency'] as const;
export type PartyType = (typeof PARTY_TYPES)[number];

export const CLOSE_OUTCOMES = ['resolved_substantively', 'judged', 'withdrawn', 'other'] as const;
export type CloseOutcome = (typeof CLOSE_OUTCOMES)[number];
export const CLOSE_OUTCOME_NAMES: Readonly<Record<CloseOutcome, string>> = {
  resolved_substantively: '实质性化解',
  judged: '判决结案',
  withdrawn: '撤回',
  other: '其他',
};

// ---------------------------------------------------------------------------------------------
// Handoffs (events.md §4)

/** the purposes of events.md §4; the deadline rules own the list (one clock per purpose) */
export const HANDOFF_PURPOSE_CODES = HANDOFF_PURPOSES;

export interface PurposeInfo {
  readonly code: HandoffPurpose;
  readonly name: string;
  /** agency kinds that may send it (a sender of another kind is `unauthorized`) */
  readonly from: readonly AgencyKind[];
  /** agency kinds that may receive it (another receiver is `invalid_transition`) */
  readonly to: readonly AgencyKind[];
  /** `handoff.completed` outcomes that fit the purpose (another is `invalid_data`) */
  readonly outcomes: readonly string[];
}

export const PURPOSES: Readonly<Record<HandoffPurpose, PurposeInfo>> = {
  prosecution_review: { code: 'prosecution_review', name: '移送审查起诉', from: ['police'], to: ['procuratorate'], outcomes: ['prosecuted', 'not_prosecuted'] },
  supplementary_investigation: {
    code: 'supplementary_investigation',
    name: '退回补充侦查',
    from: ['procuratorate'],
    to: ['police'],
    outcomes: ['resubmitted', 'closed'],
  },
  public_prosecution: { code: 'public_prosecution', name: '提起公诉', from: ['procuratorate'], to: ['court'], outcomes: ['judged', 'withdrawn'] },
  entrusted_mediation: { code: 'entrusted_mediation', name: '诉前委派调解', from: ['court'], to: ['justice'], outcomes: ['mediated', 'failed'] },
  community_correction: { code: 'community_correction', name: '社区矫正交付', from: ['court'], to: ['justice'], outcomes: ['enrolled'] },
  criminal_transfer: { code: 'criminal_transfer', name: '行刑衔接移送', from: ['government', 'justice'], to: ['police'], outcomes: ['case_opened', 'not_opened'] },
  litigation_response: { code: 'litigation_response', name: '应诉通知（答辩举证）', from: ['court'], to: ['government'], outcomes: ['answered'] },
  reconsideration_response: { code: 'reconsideration_response', name: '复议答复通知', from: ['justice'], to: ['government'], outcomes: ['answered'] },
  dispute_referral: {
    code: 'dispute_referral',
    name: '矛盾纠纷移交调处（访调、诉调、警调对接）',
    from: ['police', 'court', 'government', 'justice'],
    to: ['justice'],
    outcomes: ['mediated', 'failed', 'referred_to_litigation'],
  },
  information_notice: { code: 'information_notice', name: '信息通报', from: AGENCY_KINDS, to: AGENCY_KINDS, outcomes: ['acknowledged'] },
};

export const isHandoffPurpose = (value: unknown): value is HandoffPurpose =>
  typeof value === 'string' && (HANDOFF_PURPOSE_CODES as readonly string[]).includes(value);

/** Every completion outcome of any purpose (the schema's enum; the decider checks the purpose). */
export const HANDOFF_OUTCOMES: readonly string[] = [...new Set(Object.values(PURPOSES).flatMap((p) => p.outcomes))];

export const HANDOFF_OUTCOME_NAMES: Readonly<Record<string, string>> = {
  prosecuted: '提起公诉',
  not_prosecuted: '不起诉',
  resubmitted: '补充侦查后重新移送',
  closed: '撤销案件',
  judged: '已判决',
  withdrawn: '撤回起诉',
  mediated: '调解成功',
  failed: '调解不成',
  enrolled: '已接收入矫',
  case_opened: '立案',
  not_opened: '不予立案',
  acknowledged: '已知悉',
  answered: '已答辩/答复',
  referred_to_litigation: '转入诉讼',
};

/** Purposes that carry a criminal suspect or defendant: only they may say `inCustody` (在押). */
export const CUSTODY_PURPOSES: readonly HandoffPurpose[] = ['prosecution_review', 'supplementary_investigation', 'public_prosecution', 'criminal_transfer'];
/** Purposes whose clock depends on `procedure` and `possibleSentence` (刑事诉讼法 Art. 172, 208, 220, 225). */
export const PROCEDURE_PURPOSES: readonly HandoffPurpose[] = ['prosecution_review', 'public_prosecution'];

export const HANDOFF_PROCEDURE_CODES = HANDOFF_PROCEDURES;
export const HANDOFF_PROCEDURE_NAMES: Readonly<Record<HandoffProcedure, string>> = {
  ordinary: '普通程序',
  simplified: '简易程序',
  expedited: '认罪认罚速裁',
};
export const POSSIBLE_SENTENCE_CODES = POSSIBLE_SENTENCES;
export const POSSIBLE_SENTENCE_NAMES: Readonly<Record<PossibleSentence, string>> = {
  up_to_1y: '可能判处一年以下有期徒刑',
  over_1y: '可能判处一年以上有期徒刑',
  over_3y: '可能判处三年以上有期徒刑',
};
export const HANDOFF_EXTENSION_GROUND_CODES = HANDOFF_EXTENSION_GROUNDS;
export { DAYS_EXTENSION_GROUNDS };
export const HANDOFF_EXTENSION_GROUND_NAMES: Readonly<Record<HandoffExtensionGround, string>> = {
  major_complex: '重大复杂',
  third_month: '延长至三个月',
  upper_court: '上一级法院批准',
  supreme_court: '最高法批准',
  parties_consent: '当事人同意延长',
};

export const HANDOFF_STATUSES = ['REQUESTED', 'RECEIVED', 'ACCEPTED', 'RETURNED', 'COMPLETED', 'WITHDRAWN'] as const;
export type HandoffStatus = (typeof HANDOFF_STATUSES)[number];
export const HANDOFF_STATUS_NAMES: Readonly<Record<HandoffStatus, string>> = {
  REQUESTED: '已移送待签收',
  RECEIVED: '已签收',
  ACCEPTED: '已受理',
  RETURNED: '已退回',
  COMPLETED: '已办结',
  WITHDRAWN: '已撤回',
};

// ---------------------------------------------------------------------------------------------
// Suggestions (司法建议 / 检察建议)

export const SUGGESTION_CATEGORIES = ['judicial', 'procuratorial', 'public_interest', 'reconsideration_opinion'] as const;
export type SuggestionCategory = (typeof SUGGESTION_CATEGORIES)[number];
export const SUGGESTION_CATEGORY_NAMES: Readonly<Record<SuggestionCategory, string>> = {
  judicial: '司法建议',
  procuratorial: '检察建议',
  public_interest: '公益诉讼检察建议',
  reconsideration_opinion: '行政复议意见书',
};
/** Which agency kind may issue which category (another combination is `unauthorized`). */
export const SUGGESTION_CATEGORIES_BY_KIND: Readonly<Partial<Record<AgencyKind, readonly SuggestionCategory[]>>> = {
  court: ['judicial'],
  procuratorate: ['procuratorial', 'public_interest'],
  // 行政复议法 Art. 76: the 复议机构 (a justice bureau) issues 行政复议意见书
  justice: ['reconsideration_opinion'],
};
/** the party a suggestion is addressed to, as people call it */
export const SUGGESTION_ADDRESSEE_NAME = '被建议单位';

// ---------------------------------------------------------------------------------------------
// Administrative reconsideration (行政复议)

export const RECONSIDERATION_DECISIONS = [
  'upheld',
  'revoked',
  'altered',
  'confirmed_unlawful',
  'confirmed_invalid',
  'ordered_performance',
  'dismissed',
  'mediated',
  'withdrawn',
] as const;
export type ReconsiderationDecision = (typeof RECONSIDERATION_DECISIONS)[number];
export const RECONSIDERATION_DECISION_NAMES: Readonly<Record<ReconsiderationDecision, string>> = {
  upheld: '维持',
  revoked: '撤销',
  altered: '变更',
  confirmed_unlawful: '确认违法',
  confirmed_invalid: '确认无效',
  ordered_performance: '责令履行',
  dismissed: '驳回行政复议请求',
  mediated: '调解',
  withdrawn: '终止',
};
/** 纠错: the decision corrects the agency's act (events.md §3). */
export const CORRECTIVE_DECISIONS: readonly ReconsiderationDecision[] = ['revoked', 'altered', 'confirmed_unlawful', 'confirmed_invalid', 'ordered_performance'];
/** 行政复议 procedure (Art. 53): 简易程序 shortens the decision clock and allows no extension */
export const RECONSIDERATION_PROCEDURES = ['ordinary', 'simplified'] as const;
export type ReconsiderationProcedure = (typeof RECONSIDERATION_PROCEDURES)[number];
export const RECONSIDERATION_PROCEDURE_NAMES: Readonly<Record<ReconsiderationProcedure, string>> = { ordinary: '普通程序', simplified: '简易程序' };
/** the reconsideration clock's stops and extension, as the timeline and messages call them */
export const RECONSIDERATION_CLOCK_ACTION_NAMES = { suspended: '中止', resumed: '恢复', extended: '延长' } as const;
export const isCorrective = (decision: string): boolean => (CORRECTIVE_DECISIONS as readonly string[]).includes(decision);

// ---------------------------------------------------------------------------------------------
// Copy notices (纠错/败诉案件同步抄告)

export const NOTICE_REASONS = ['agency_lost', 'reconsideration_corrected'] as const;
export type NoticeReason = (typeof NOTICE_REASONS)[number];
export const NOTICE_REASON_NAMES: Readonly<Record<NoticeReason, string>> = {
  agency_lost: '行政机关败诉',
  reconsideration_corrected: '行政复议纠错',
};

export const AGENCY_KIND_NAMES: Readonly<Record<AgencyKind, string>> = {
  court: '法院',
  procuratorate: '检察院',
  police: '公安机关',
  justice: '司法行政机关',
  government: '行政机关',
};

// ---------------------------------------------------------------------------------------------
// Revision 2: 负责人出庭应诉, 社区矫正 脱管, 收案统计 (events.md §3 Court, Community correction)

/** `hearing.held` `appearance`: who appeared for the defendant agency */
export const APPEARANCES = ['principal', 'deputy', 'entrusted_staff', 'none'] as const;
export type Appearance = (typeof APPEARANCES)[number];
export const APPEARANCE_NAMES: Readonly<Record<Appearance, string>> = {
  principal: '正职负责人出庭应诉',
  deputy: '副职或分管负责人出庭应诉',
  entrusted_staff: '委托工作人员出庭应诉',
  none: '无人出庭应诉',
};
/** `principal` / `deputy` mean the head appeared (负责人出庭应诉) */
export const HEAD_APPEARANCES: readonly Appearance[] = ['principal', 'deputy'];

/**
 * Whether the agency's head appeared at a held hearing — the one definition the decider, the case and the scorecard
 * read. `appearance` (revision 2) says it when present; a hearing recorded before it says it with `agencyHeadAppeared`.
 */
export const headAppeared = (hearing: { readonly appearance?: Appearance | null; readonly agencyHeadAppeared?: boolean | null }): boolean =>
  hearing.appearance != null ? HEAD_APPEARANCES.includes(hearing.appearance) : hearing.agencyHeadAppeared === true;

/** the statistics period of `court.filings_reported`: a quarter, e.g. `2024Q3` */
export const FILINGS_PERIOD_PATTERN = '^[0-9]{4}Q[1-4]$';

/** 社区矫正 states the platform tells apart: 漏管 risk (报到逾期) and 脱管 (out of contact) */
export const CORRECTION_STATE_NAMES = {
  unreported: '报到逾期（漏管风险）',
  absconded: '脱管',
  located: '已查找到',
} as const;
// Legal disputes of Party and government organs and state enterprises (涉党政机关、国有企业法律纠纷; revision 2)

export const DISPUTE_OUTCOMES = ['won', 'lost', 'partially_lost', 'settled', 'mediated', 'withdrawn'] as const;
export type DisputeOutcome = (typeof DISPUTE_OUTCOMES)[number];
export const DISPUTE_OUTCOME_NAMES: Readonly<Record<DisputeOutcome, string>> = {
  won: '胜诉',
  lost: '败诉',
  partially_lost: '部分败诉',
  settled: '和解',
  mediated: '调解',
  withdrawn: '撤诉',
};
/** 败诉: the outcomes that call for 责任倒查 and count as lost (dispute_lost, disputesLost) */
export const LOST_DISPUTE_OUTCOMES: readonly DisputeOutcome[] = ['lost', 'partially_lost'];
export const isLostDispute = (outcome: string | null | undefined): boolean => (LOST_DISPUTE_OUTCOMES as readonly string[]).includes(outcome ?? '');
/** outcomes in which the organ paid nothing it was not willing to: a loss amount there is a mistake */
export const NO_LOSS_DISPUTE_OUTCOMES: readonly DisputeOutcome[] = ['won', 'withdrawn'];

export const ACCOUNTABILITY_FINDINGS = ['no_fault', 'fault_found'] as const;
export type AccountabilityFinding = (typeof ACCOUNTABILITY_FINDINGS)[number];
export const ACCOUNTABILITY_FINDING_NAMES: Readonly<Record<AccountabilityFinding, string>> = {
  no_fault: '未发现过错',
  fault_found: '发现过错',
};
