/**
 * Business rules of a case stream: one function per command, each returning the events to store.
 * Messages are Chinese, for the clerk who corrects and resends (补正): what is wrong, and what to do.
 *
 * Codes (events.md §5): a missing case → `unknown_case`; a second registration → `case_exists`;
 * an agency id in data that is not configured → `unknown_agency`; the publisher's KIND does not fit
 * (handoff purpose, suggestion category, the catalog's `by`) → `unauthorized`; values that do not fit
 * the case kind / handoff purpose → `invalid_data`; every other rule, including "only that particular
 * agency may publish this" → `invalid_transition`.
 *
 * After `case.closed` the case takes no new business (registration-level facts, handoff requests,
 * hearings, judgments, reconsideration decisions, self-corrections, a second closing), but what was
 * already set in motion may still finish: handoff follow-ups, suggestions and their replies,
 * performance and community-correction reports, notice acknowledgements and judicial confirmation.
 */
import type { Agency } from '../shared/agencies.js';
import type { Decider } from '../shared/decider.js';
import { DomainError } from '../shared/errors.js';
import type { DomainEvent } from '../shared/events.js';
import type { DecisionContext } from '../catalog/context.js';
import { CATALOG } from '../catalog/catalog.js';
import {
  AGENCY_KIND_NAMES,
  CASE_KINDS,
  CLOSE_OUTCOME_NAMES,
  CUSTODY_PURPOSES,
  HANDOFF_EXTENSION_GROUND_NAMES,
  HANDOFF_PROCEDURE_NAMES,
  HANDOFF_STATUS_NAMES,
  PROCEDURE_PURPOSES,
  PURPOSES,
  RECONSIDERATION_DECISION_NAMES,
  RECONSIDERATION_PROCEDURE_NAMES,
  SUGGESTION_CATEGORIES_BY_KIND,
  SUGGESTION_CATEGORY_NAMES,
  DISPUTE_OUTCOME_NAMES,
  NO_LOSS_DISPUTE_OUTCOMES,
  isCorrective,
  APPEARANCE_NAMES,
  headAppeared,
  isLostDispute,
  type HandoffStatus,
  type NoticeReason,
} from '../catalog/vocabulary.js';
import { DEFAULT_DEADLINE_POLICY, handoffClockRule, handoffExtensionRefusal, type ExtensionRefusal, type HandoffExtensionGround } from '../deadlines/index.js';
import type {
  CaseClosedData,
  CaseEvent,
  CaseEventDataByType,
  CaseEventType,
  CaseFile,
  CaseRegisteredData,
  CaseState,
  ExistingCase,
  Handoff,
  HandoffCompletedData,
  HandoffExtendedData,
  HandoffRefData,
  HandoffRequestedData,
  HandoffReturnedData,
  HandoffWithdrawnData,
  HearingHeldData,
  HearingScheduledData,
  JudgmentEffectiveData,
  JudgmentIssuedData,
  JudicialConfirmationDecidedData,
  NoticeAcknowledgedData,
  NoticeIssuedData,
  ReconsiderationDecidedData,
  ReconsiderationExtendedData,
  ReconsiderationPerformedData,
  ReconsiderationResumedData,
  ReconsiderationSuspendedData,
  CorrectionReportedData,
  CorrectionAbscondedData,
  CorrectionLocatedData,
  SelfCorrectionReportedData,
  SuggestionIssuedData,
  SuggestionReceivedData,
  SuggestionRepliedData,
  SuggestionServedData,
  AccountabilityReviewedData,
  DisputeConcludedData,
  DisputeConsultedData,
  RectificationCompletedData,
  RectificationOrderedData,
} from './case.js';
import { disputeOf, evolveCase, extensionsOf, initialCaseState, openAbscondment, openSuspension, rectificationsOf } from './case.js';
import { chinaDate, compareDates } from '../deadlines/index.js';

// ---------------------------------------------------------------------------------------------
// Commands: one per published type. `data` is the published data (already shape-checked by the catalog),
// stored unchanged; `by` is the publishing agency; `time` the envelope time.

interface CaseCommandOf<T extends string, D> {
  readonly type: T;
  readonly caseId: string;
  readonly by: Agency;
  readonly time: string;
  readonly data: D;
  readonly context: DecisionContext;
}

export type RegisterCase = CaseCommandOf<'RegisterCase', CaseRegisteredData>;
export type CloseCase = CaseCommandOf<'CloseCase', CaseClosedData>;
export type ReportSelfCorrection = CaseCommandOf<'ReportSelfCorrection', SelfCorrectionReportedData>;
export type RequestHandoff = CaseCommandOf<'RequestHandoff', HandoffRequestedData>;
export type ReceiveHandoff = CaseCommandOf<'ReceiveHandoff', HandoffRefData>;
export type AcceptHandoff = CaseCommandOf<'AcceptHandoff', HandoffRefData>;
export type ReturnHandoff = CaseCommandOf<'ReturnHandoff', HandoffReturnedData>;
export type ExtendHandoff = CaseCommandOf<'ExtendHandoff', HandoffExtendedData>;
export type CompleteHandoff = CaseCommandOf<'CompleteHandoff', HandoffCompletedData>;
export type WithdrawHandoff = CaseCommandOf<'WithdrawHandoff', HandoffWithdrawnData>;
export type ScheduleHearing = CaseCommandOf<'ScheduleHearing', HearingScheduledData>;
export type RecordHearingHeld = CaseCommandOf<'RecordHearingHeld', HearingHeldData>;
export type IssueJudgment = CaseCommandOf<'IssueJudgment', JudgmentIssuedData>;
export type RecordJudgmentEffective = CaseCommandOf<'RecordJudgmentEffective', JudgmentEffectiveData>;
export type ServeSuggestion = CaseCommandOf<'ServeSuggestion', SuggestionServedData>;
export type ReceiveSuggestion = CaseCommandOf<'ReceiveSuggestion', SuggestionReceivedData>;
export type ExtendReconsideration = CaseCommandOf<'ExtendReconsideration', ReconsiderationExtendedData>;
export type SuspendReconsideration = CaseCommandOf<'SuspendReconsideration', ReconsiderationSuspendedData>;
export type ResumeReconsideration = CaseCommandOf<'ResumeReconsideration', ReconsiderationResumedData>;
export type DecideJudicialConfirmation = CaseCommandOf<'DecideJudicialConfirmation', JudicialConfirmationDecidedData>;
export type IssueSuggestion = CaseCommandOf<'IssueSuggestion', SuggestionIssuedData>;
export type ReplyToSuggestion = CaseCommandOf<'ReplyToSuggestion', SuggestionRepliedData>;
export type DecideReconsideration = CaseCommandOf<'DecideReconsideration', ReconsiderationDecidedData>;
export type RecordReconsiderationPerformed = CaseCommandOf<'RecordReconsiderationPerformed', ReconsiderationPerformedData>;
export type ReportCorrection = CaseCommandOf<'ReportCorrection', CorrectionReportedData>;
export type ReportAbsconded = CaseCommandOf<'ReportAbsconded', CorrectionAbscondedData>;
export type ReportLocated = CaseCommandOf<'ReportLocated', CorrectionLocatedData>;
export type AcknowledgeNotice = CaseCommandOf<'AcknowledgeNotice', NoticeAcknowledgedData>;
// legal disputes of state organs (revision 2)
export type ConsultOnDispute = CaseCommandOf<'ConsultOnDispute', DisputeConsultedData>;
export type ConcludeDispute = CaseCommandOf<'ConcludeDispute', DisputeConcludedData>;
export type ReviewAccountability = CaseCommandOf<'ReviewAccountability', AccountabilityReviewedData>;
export type OrderRectification = CaseCommandOf<'OrderRectification', RectificationOrderedData>;
export type CompleteRectification = CaseCommandOf<'CompleteRectification', RectificationCompletedData>;

export type CaseCommand =
  | RegisterCase
  | CloseCase
  | ReportSelfCorrection
  | RequestHandoff
  | ReceiveHandoff
  | AcceptHandoff
  | ReturnHandoff
  | ExtendHandoff
  | CompleteHandoff
  | WithdrawHandoff
  | ScheduleHearing
  | RecordHearingHeld
  | IssueJudgment
  | RecordJudgmentEffective
  | DecideJudicialConfirmation
  | IssueSuggestion
  | ServeSuggestion
  | ReceiveSuggestion
  | ReplyToSuggestion
  | DecideReconsideration
  | ExtendReconsideration
  | SuspendReconsideration
  | ResumeReconsideration
  | RecordReconsiderationPerformed
  | ReportCorrection
  | ReportAbsconded
  | ReportLocated
  | AcknowledgeNotice
  | ConsultOnDispute
  | ConcludeDispute
  | ReviewAccountability
  | OrderRectification
  | CompleteRectification;

export type CaseCommandType = CaseCommand['type'];
/** The published types a case command stores (every catalog type except action_item.completed). */
export type CaseFactType = Exclude<CaseEventType, 'notice.issued'>;

/** Which stored type each command records as its fact. */
export const FACT_TYPE_OF_COMMAND: Readonly<Record<CaseCommandType, CaseFactType>> = {
  RegisterCase: 'case.registered',
  CloseCase: 'case.closed',
  ReportSelfCorrection: 'self_correction.reported',
  RequestHandoff: 'handoff.requested',
  ReceiveHandoff: 'handoff.received',
  AcceptHandoff: 'handoff.accepted',
  ReturnHandoff: 'handoff.returned',
  ExtendHandoff: 'handoff.extended',
  CompleteHandoff: 'handoff.completed',
  WithdrawHandoff: 'handoff.withdrawn',
  ScheduleHearing: 'hearing.scheduled',
  RecordHearingHeld: 'hearing.held',
  IssueJudgment: 'judgment.issued',
  RecordJudgmentEffective: 'judgment.effective',
  DecideJudicialConfirmation: 'judicial_confirmation.decided',
  IssueSuggestion: 'suggestion.issued',
  ServeSuggestion: 'suggestion.served',
  ReceiveSuggestion: 'suggestion.received',
  ReplyToSuggestion: 'suggestion.replied',
  DecideReconsideration: 'reconsideration.decided',
  ExtendReconsideration: 'reconsideration.extended',
  SuspendReconsideration: 'reconsideration.suspended',
  ResumeReconsideration: 'reconsideration.resumed',
  RecordReconsiderationPerformed: 'reconsideration.performed',
  ReportCorrection: 'correction.reported',
  ReportAbsconded: 'correction.absconded',
  ReportLocated: 'correction.located',
  AcknowledgeNotice: 'notice.acknowledged',
  ConsultOnDispute: 'dispute.consulted',
  ConcludeDispute: 'dispute.concluded',
  ReviewAccountability: 'accountability.reviewed',
  OrderRectification: 'rectification.ordered',
  CompleteRectification: 'rectification.completed',
};

/** The command a published case fact becomes. */
export const COMMAND_OF_FACT_TYPE: Readonly<Record<CaseFactType, CaseCommandType>> = Object.fromEntries(
  Object.entries(FACT_TYPE_OF_COMMAND).map(([command, type]) => [type, command]),
) as Record<CaseFactType, CaseCommandType>;

// ---------------------------------------------------------------------------------------------
// Copy notices (同步抄告): deterministic ids, so a retried or replayed decision can never double a notice.
// A case id cannot contain '/', so the case id is everything before the first '/'.

export const noticeIdFor = (caseId: string, trigger: { judgmentId: string } | 'reconsideration'): string =>
  trigger === 'reconsideration' ? `${caseId}/reconsideration` : `${caseId}/judgment/${trigger.judgmentId}`;

/** The case a copy notice belongs to (for `acknowledgeNotice(id)`), or null if the id is not a notice id. */
export const caseIdOfNotice = (noticeId: string): string | null => {
  const slash = noticeId.indexOf('/');
  return slash > 0 ? noticeId.slice(0, slash) : null;
};

/**
 * Recipients (events.md §3 "Copy notices"): the defendant agency, its 上一级主管部门 (`supervisorId`) if configured, plus
 * the configured copyNoticeRecipients, once each, configured only.
 */
export const copyNoticeRecipients = (defendantAgencyId: string | null, ctx: DecisionContext): string[] => {
  const recipients: string[] = [];
  const supervisor = defendantAgencyId ? ctx.agencies.get(defendantAgencyId)?.supervisorId : undefined;
  for (const id of [defendantAgencyId, supervisor, ...ctx.copyNoticeRecipients]) {
    if (id && ctx.agencies.has(id) && !recipients.includes(id)) recipients.push(id);
  }
  return recipients;
};

// ---------------------------------------------------------------------------------------------
// Helpers

const fail = (code: DomainError['code'], message: string): never => {
  throw new DomainError(code, message);
};
/** a fact the case does not have yet (events.md §5 `parked`): the same refusal, marked as worth waiting for */
const awaitFact = (code: DomainError['code'], message: string): never => {
  throw new DomainError(code, message, true);
};


const nameOf = (ctx: DecisionContext, agencyId: string | null | undefined): string => {
  if (!agencyId) return '（未指定机关）';
  const agency = ctx.agencies.get(agencyId);
  return agency ? `${agency.name}（${agencyId}）` : agencyId;
};

const factOf = <C extends CaseCommand>(command: C): CaseEvent =>
  ({ type: FACT_TYPE_OF_COMMAND[command.type], data: command.data, time: command.time, source: command.by.id }) as CaseEvent;

const requireConfigured = (ctx: DecisionContext, agencyId: string, field: string): void => {
  if (!ctx.agencies.has(agencyId)) {
    fail('unknown_agency', `${field} 中的机关代码「${agencyId}」未在平台配置：请核对机关代码后重新发送。`);
  }
};

const requireCase = (state: CaseState, command: CaseCommand): ExistingCase => {
  if (state.status === 'none') {
    return awaitFact(
      'unknown_case',
      `案件「${command.caseId}」尚未在平台登记：请先发布 case.registered 登记该案件，再重新发送 ${FACT_TYPE_OF_COMMAND[command.type]}；或核对 subject 中的案件编号。`,
    );
  }
  return state;
};

const requireOpen = (file: ExistingCase, command: CaseCommand): void => {
  if (file.status === 'closed') {
    fail(
      'invalid_transition',
      `案件「${command.caseId}」已于 ${file.closedAt} 结案（${CLOSE_OUTCOME_NAMES[file.outcome]}），不再接受 ${FACT_TYPE_OF_COMMAND[command.type]}：如有新的事项，请登记新案件。`,
    );
  }
};

const requireHandoff = (file: CaseFile, command: CaseCommand & { data: { handoffId: string } }): Handoff => {
  const handoff = file.handoffs[command.data.handoffId];
  if (!handoff) {
    return awaitFact(
      'invalid_transition',
      `案件「${command.caseId}」中没有编号为「${command.data.handoffId}」的移送：请核对 handoffId，或先由移送机关发布 handoff.requested。`,
    );
  }
  return handoff;
};

const requireReceiver = (handoff: Handoff, command: CaseCommand): void => {
  if (command.by.id !== handoff.to) {
    fail(
      'invalid_transition',
      `移送「${handoff.id}」的接收机关是 ${nameOf(command.context, handoff.to)}，只有接收机关可以发布 ${FACT_TYPE_OF_COMMAND[command.type]}；${command.by.name} 不是该移送的接收机关。`,
    );
  }
};

const requireStatus = (handoff: Handoff, command: CaseCommand, allowed: readonly HandoffStatus[], action: string): void => {
  if (!allowed.includes(handoff.status)) {
    const allowedNames = allowed.map((s) => HANDOFF_STATUS_NAMES[s]).join('、');
    fail(
      'invalid_transition',
      `移送「${handoff.id}」当前状态为「${HANDOFF_STATUS_NAMES[handoff.status]}」，不能${action}：只有「${allowedNames}」的移送可以${action}。`,
    );
  }
};

// ---------------------------------------------------------------------------------------------
// Case

const registerCase = (command: RegisterCase, state: CaseState): CaseEvent[] => {
  const { data, context: ctx } = command;
  const kind = CASE_KINDS[data.kind];
  if (kind.requiresDefendantAgency && !data.defendantAgencyId) {
    fail('invalid_data', `${kind.name}案件必须填写 defendantAgencyId（被告/被申请人行政机关）：请补充后重新发送。`);
  }
  if (data.defendantAgencyId) requireConfigured(ctx, data.defendantAgencyId, 'defendantAgencyId');
  if (data.reconsiderationCaseId !== undefined) {
    // 复议后起诉: a suit against the agency (or the 复议机关) after the 行政复议 it follows
    if (data.kind !== 'administrative_litigation') {
      fail('invalid_data', `reconsiderationCaseId（经复议的行政复议案件）只适用于行政诉讼案件，不能用于${kind.name}案件：请删去该字段。`);
    }
    if (data.reconsiderationCaseId === command.caseId) {
      fail('invalid_data', `reconsiderationCaseId 不能是本案自身（${command.caseId}）：请填写本案起诉前的行政复议案件编号。`);
    }
  }
  if (data.responsibleAgencyId) requireConfigured(ctx, data.responsibleAgencyId, 'responsibleAgencyId');
  if (data.kind !== 'government_dispute' && (data.responsibleAgencyId !== undefined || data.handlingUnit !== undefined || data.amount !== undefined || data.arisenAt !== undefined)) {
    fail('invalid_data', 'responsibleAgencyId、handlingUnit、amount、arisenAt 只适用于涉党政机关、国有企业法律纠纷（government_dispute）的备案：请删去这些字段，或核对 kind。');
  }
  if (state.status !== 'none') {
    fail(
      'case_exists',
      `案件「${command.caseId}」已由 ${nameOf(ctx, state.registeredBy)} 于 ${state.registeredAt} 登记，不能重复登记：同一案件的后续情况请发布相应事件；另一案件请使用新的案件编号（subject）。`,
    );
  }
  if (data.defendantAgencyId) {
    const defendant = ctx.agencies.get(data.defendantAgencyId)!;
    if (defendant.kind !== 'government') {
      fail(
        'invalid_transition',
        `defendantAgencyId 必须是行政机关（government），而 ${nameOf(ctx, defendant.id)} 是${AGENCY_KIND_NAMES[defendant.kind]}：请填写作出被诉/被申请行政行为的行政机关。`,
      );
    }
  }
  return [factOf(command)];
};

const closeCase = (command: CloseCase, state: CaseState): CaseEvent[] => {
  const file = requireCase(state, command);
  if (file.status === 'closed') {
    fail('invalid_transition', `案件「${command.caseId}」已于 ${file.closedAt} 结案（${CLOSE_OUTCOME_NAMES[file.outcome]}），不能重复结案。`);
  }
  if (command.by.id !== file.registeredBy) {
    fail(
      'invalid_transition',
      `只有登记该案件的机关（${nameOf(command.context, file.registeredBy)}）可以发布 case.closed；${command.by.name} 如已办结本机关的工作，请发布相应的办结事件（如 handoff.completed）。`,
    );
  }
  return [factOf(command)];
};

const reportSelfCorrection = (command: ReportSelfCorrection, state: CaseState): CaseEvent[] => {
  requireConfigured(command.context, command.data.agencyId, 'agencyId');
  const file = requireCase(state, command);
  requireOpen(file, command);
  return [factOf(command)];
};

// ---------------------------------------------------------------------------------------------
// Handoffs

const requestHandoff = (command: RequestHandoff, state: CaseState): CaseEvent[] => {
  const { data, context: ctx, by } = command;
  const purpose = PURPOSES[data.purpose];
  requireConfigured(ctx, data.to, 'to');
  if (!purpose.from.includes(by.kind)) {
    fail(
      'unauthorized',
      `「${purpose.name}」只能由${purpose.from.map((k) => AGENCY_KIND_NAMES[k]).join('、')}移送，${by.name}（${AGENCY_KIND_NAMES[by.kind]}）无权发起：请核对 purpose。`,
    );
  }
  // A field the purpose's clock cannot use would be silently ignored: say so instead (invalid_data).
  if (data.inCustody === true && !CUSTODY_PURPOSES.includes(data.purpose)) {
    fail('invalid_data', `「${purpose.name}」不涉及在押犯罪嫌疑人、被告人，不能填写 inCustody: true：请删去该字段。`);
  }
  if ((data.procedure !== undefined || data.possibleSentence !== undefined) && !PROCEDURE_PURPOSES.includes(data.purpose)) {
    fail(
      'invalid_data',
      `procedure 和 possibleSentence 只适用于${PROCEDURE_PURPOSES.map((p) => `「${PURPOSES[p].name}」`).join('、')}，「${purpose.name}」不能填写：请删去这两个字段。`,
    );
  }
  if (data.purpose === 'prosecution_review' && data.procedure === 'simplified') {
    fail('invalid_data', `审查起诉阶段没有「${HANDOFF_PROCEDURE_NAMES.simplified}」期限（刑事诉讼法第172条）：procedure 请填写 ordinary 或 expedited。`);
  }
  const file = requireCase(state, command);
  requireOpen(file, command);
  if (file.handoffs[data.handoffId]) {
    fail('invalid_transition', `本案已有编号为「${data.handoffId}」的移送：再次移送请使用新的 handoffId（可用 previousHandoffId 指向原移送）。`);
  }
  if (data.to === by.id) fail('invalid_transition', `移送的接收机关（to）不能是移送机关自身（${by.name}）：请填写接收机关。`);
  const receiver = ctx.agencies.get(data.to)!;
  if (!purpose.to.includes(receiver.kind)) {
    fail(
      'invalid_transition',
      `「${purpose.name}」的接收机关应为${purpose.to.map((k) => AGENCY_KIND_NAMES[k]).join('、')}，而 ${nameOf(ctx, receiver.id)} 是${AGENCY_KIND_NAMES[receiver.kind]}：请核对 to 或 purpose。`,
    );
  }
  if (data.previousHandoffId !== undefined) {
    if (data.previousHandoffId === data.handoffId || !file.handoffs[data.previousHandoffId]) {
      fail(
        'invalid_transition',
        `previousHandoffId「${data.previousHandoffId}」不是本案已有的移送：请填写被退回或撤回的原移送编号，或删去该字段。`,
      );
    }
  }
  return [factOf(command)];
};

const receiveHandoff = (command: ReceiveHandoff, state: CaseState): CaseEvent[] => {
  const file = requireCase(state, command);
  const handoff = requireHandoff(file, command);
  requireReceiver(handoff, command);
  if (handoff.receivedAt !== null && (handoff.status === 'RECEIVED' || handoff.status === 'ACCEPTED')) {
    fail('invalid_transition', `移送「${handoff.id}」已于 ${handoff.receivedAt} 签收，不能重复签收。`);
  }
  requireStatus(handoff, command, ['REQUESTED'], '签收');
  return [factOf(command)];
};

const acceptHandoff = (command: AcceptHandoff, state: CaseState): CaseEvent[] => {
  const file = requireCase(state, command);
  const handoff = requireHandoff(file, command);
  requireReceiver(handoff, command);
  if (handoff.status === 'ACCEPTED') fail('invalid_transition', `移送「${handoff.id}」已于 ${handoff.acceptedAt} 受理，不能重复受理。`);
  requireStatus(handoff, command, ['REQUESTED', 'RECEIVED'], '受理');
  return [factOf(command)];
};

const returnHandoff = (command: ReturnHandoff, state: CaseState): CaseEvent[] => {
  const file = requireCase(state, command);
  const handoff = requireHandoff(file, command);
  requireReceiver(handoff, command);
  requireStatus(handoff, command, ['REQUESTED', 'RECEIVED', 'ACCEPTED'], '退回');
  return [factOf(command)];
};

const groundName = (ground: HandoffExtensionGround): string => `「${HANDOFF_EXTENSION_GROUND_NAMES[ground]}」（${ground}）`;

/** The rejection message for an extension the clock table does not allow (deadlines.md extensions column). */
const extensionRefusalMessage = (refusal: ExtensionRefusal, handoff: Handoff, purposeName: string, source: string): string => {
  switch (refusal.reason) {
    case 'not_extendable':
      return `「${purposeName}」的办理期限不能延长（${source}），请在原期限内办结。`;
    case 'ground_not_allowed':
      return `「${purposeName}」${handoff.procedure ? `（${HANDOFF_PROCEDURE_NAMES[handoff.procedure]}）` : ''}只能以${refusal.allowed.map(groundName).join('、')}延长期限（${source}）：请核对 ground。`;
    case 'already_used':
      return `移送「${handoff.id}」已以${groundName(refusal.ground)}延长过期限，该事由只能延长一次（${source}）。`;
    case 'needs_prior':
      return `${groundName(refusal.ground)}须在${groundName(refusal.after)}之后申请：移送「${handoff.id}」尚未以${groundName(refusal.after)}延长（${source}）。`;
    case 'days_required':
      return `以${groundName(refusal.ground)}延长须填写延长天数 days（${refusal.min}–${refusal.max} 日）。`;
    case 'days_out_of_range':
      return `以${groundName(refusal.ground)}延长，days 须为 ${refusal.min}–${refusal.max} 日的整数。`;
    default: {
      const _exhaustive: never = refusal;
      return String(_exhaustive);
    }
  }
};

const extendHandoff = (command: ExtendHandoff, state: CaseState): CaseEvent[] => {
  const file = requireCase(state, command);
  const handoff = requireHandoff(file, command);
  requireReceiver(handoff, command);
  const purpose = PURPOSES[handoff.purpose];
  const rule = handoffClockRule(handoff.purpose, DEFAULT_DEADLINE_POLICY, { procedure: handoff.procedure, possibleSentence: handoff.possibleSentence });
  const { ground, days } = command.data;
  if (rule.extensions.length === 0) fail('invalid_transition', extensionRefusalMessage({ reason: 'not_extendable' }, handoff, purpose.name, rule.source));
  requireStatus(handoff, command, ['RECEIVED', 'ACCEPTED'], '延长期限');
  if (ground === undefined) {
    // Version 1 (dataschema urn:liandong:handoff.extended:1): one extension of `days`, as before revision 2.
    if (extensionsOf(handoff).length > 0) {
      fail('invalid_transition', `移送「${handoff.id}」已于 ${handoff.extendedAt} 延长过期限；第 1 版 handoff.extended（无 ground）只能延长一次。`);
    }
    if (handoff.purpose === 'prosecution_review' && (days ?? 0) > 15) {
      fail('invalid_transition', `「${purpose.name}」最多延长 15 日（${rule.source}），本次申请 ${days} 日：请改为不超过 15 日。`);
    }
    return [factOf(command)];
  }
  const refusal = handoffExtensionRefusal(rule, extensionsOf(handoff), { ground, days: days ?? null });
  if (refusal !== null) {
    // A days value outside the ground's range does not fit the catalog (invalid_data); order and limits are rules.
    const code = refusal.reason === 'days_required' || refusal.reason === 'days_out_of_range' ? 'invalid_data' : 'invalid_transition';
    fail(code, extensionRefusalMessage(refusal, handoff, purpose.name, rule.source));
  }
  return [factOf(command)];
};

const completeHandoff = (command: CompleteHandoff, state: CaseState): CaseEvent[] => {
  const file = requireCase(state, command);
  const handoff = requireHandoff(file, command);
  const purpose = PURPOSES[handoff.purpose];
  if (!purpose.outcomes.includes(command.data.outcome)) {
    fail('invalid_data', `「${purpose.name}」的办结结果（outcome）只能是 ${purpose.outcomes.join('、')}，不能是「${command.data.outcome}」。`);
  }
  requireReceiver(handoff, command);
  if (handoff.status === 'COMPLETED') fail('invalid_transition', `移送「${handoff.id}」已于 ${handoff.completedAt} 办结，不能重复办结。`);
  if (handoff.status === 'REQUESTED') fail('invalid_transition', `移送「${handoff.id}」尚未签收：请先发布 handoff.received（或 handoff.accepted），再发布办结。`);
  requireStatus(handoff, command, ['RECEIVED', 'ACCEPTED'], '办结');
  return [factOf(command)];
};

const withdrawHandoff = (command: WithdrawHandoff, state: CaseState): CaseEvent[] => {
  const file = requireCase(state, command);
  const handoff = requireHandoff(file, command);
  if (command.by.id !== handoff.from) {
    fail(
      'invalid_transition',
      `只有移送机关（${nameOf(command.context, handoff.from)}）可以撤回移送「${handoff.id}」；接收机关如需退回，请发布 handoff.returned。`,
    );
  }
  if (handoff.status === 'COMPLETED') fail('invalid_transition', `移送「${handoff.id}」已于 ${handoff.completedAt} 办结，办结后不能撤回。`);
  if (handoff.status === 'WITHDRAWN') fail('invalid_transition', `移送「${handoff.id}」已于 ${handoff.withdrawnAt} 撤回，不能重复撤回。`);
  return [factOf(command)];
};

// ---------------------------------------------------------------------------------------------
// Court

const scheduleHearing = (command: ScheduleHearing, state: CaseState): CaseEvent[] => {
  for (const observer of command.data.observers ?? []) requireConfigured(command.context, observer, 'observers');
  const file = requireCase(state, command);
  requireOpen(file, command);
  const existing = file.hearings[command.data.hearingId];
  // Re-publishing an unheld hearing reschedules it (改期); a held one is history.
  if (existing?.held) fail('invalid_transition', `庭审「${existing.id}」已于 ${existing.heldAt} 开庭，不能重新排期：新的庭审请使用新的 hearingId。`);
  return [factOf(command)];
};

const recordHearingHeld = (command: RecordHearingHeld, state: CaseState): CaseEvent[] => {
  for (const observer of command.data.observerAgencies ?? []) requireConfigured(command.context, observer, 'observerAgencies');
  const file = requireCase(state, command);
  requireOpen(file, command);
  const hearing = file.hearings[command.data.hearingId];
  if (!hearing) awaitFact('invalid_transition', `庭审「${command.data.hearingId}」尚未排期：请先发布 hearing.scheduled，再发布 hearing.held。`);
  if (hearing!.held) fail('invalid_transition', `庭审「${hearing!.id}」已于 ${hearing!.heldAt} 记录开庭，不能重复记录。`);
  const { appearance, agencyHeadAppeared } = command.data;
  if (appearance !== undefined) {
    // 负责人出庭应诉 is the defendant agency's: only a suit against an agency has it to record
    if (file.kind !== 'administrative_litigation') {
      fail('invalid_data', `appearance（行政机关出庭应诉情况）只适用于行政诉讼案件，本案是${CASE_KINDS[file.kind].name}案件：请删去该字段。`);
    }
    if (agencyHeadAppeared !== undefined && agencyHeadAppeared !== headAppeared({ appearance })) {
      fail(
        'invalid_data',
        `appearance「${APPEARANCE_NAMES[appearance]}」与 agencyHeadAppeared: ${String(agencyHeadAppeared)} 相互矛盾：正职（principal）或副职（deputy）出庭即负责人出庭应诉，请核对后重新发送（可只填 appearance）。`,
      );
    }
  }
  return [factOf(command)];
};

const issueJudgment = (command: IssueJudgment, state: CaseState): CaseEvent[] => {
  const { data, context: ctx } = command;
  const file = requireCase(state, command);
  const kind = CASE_KINDS[file.kind];
  if (!kind.judgmentOutcomes.includes(data.outcome)) {
    fail('invalid_data', `${kind.name}案件的裁判结果（outcome）只能是 ${kind.judgmentOutcomes.join('、')}，不能是「${data.outcome}」。`);
  }
  requireOpen(file, command);
  if (file.judgments[data.judgmentId]) {
    fail('invalid_transition', `本案已有编号为「${data.judgmentId}」的裁判（${file.judgments[data.judgmentId]!.issuedAt}），不能重复发布：新的裁判请使用新的 judgmentId。`);
  }
  const events: CaseEvent[] = [factOf(command)];
  if (data.outcome === 'agency_lost') {
    const notice = copyNotice(command, file, 'agency_lost', 'judgment.issued', noticeIdFor(command.caseId, { judgmentId: data.judgmentId }), ctx);
    if (notice) events.push(notice);
  }
  return events;
};

// Set in motion by the judgment: accepted after the case is closed too (the clocks it starts must still run).
const recordJudgmentEffective = (command: RecordJudgmentEffective, state: CaseState): CaseEvent[] => {
  const file = requireCase(state, command);
  const judgment = file.judgments[command.data.judgmentId];
  if (!judgment) return awaitFact('invalid_transition', `本案没有编号为「${command.data.judgmentId}」的裁判：请先发布 judgment.issued，或核对 judgmentId。`);
  if (judgment.effectiveAt !== null) fail('invalid_transition', `裁判「${judgment.id}」已记录于 ${judgment.effectiveAt} 生效，不能重复发布生效日期。`);
  return [factOf(command)];
};

const decideJudicialConfirmation = (command: DecideJudicialConfirmation, state: CaseState): CaseEvent[] => {
  const file = requireCase(state, command);
  if (file.judicialConfirmation) {
    fail('invalid_transition', `本案已于 ${file.judicialConfirmation.decidedAt} 作出司法确认裁定，不能重复发布。`);
  }
  const mediated = Object.values(file.handoffs).some(
    (h) => h.purpose === 'entrusted_mediation' && h.status === 'COMPLETED' && h.outcome === 'mediated',
  );
  if (!mediated) {
    fail(
      'invalid_transition',
      '司法确认需要本案有一件已办结且结果为调解成功（mediated）的诉前委派调解（entrusted_mediation）移送：请待调解机关发布 handoff.completed 后再发送。',
    );
  }
  return [factOf(command)];
};

// ---------------------------------------------------------------------------------------------
// Suggestions

const issueSuggestion = (command: IssueSuggestion, state: CaseState): CaseEvent[] => {
  const { data, by, context: ctx } = command;
  requireConfigured(ctx, data.to, 'to');
  const allowed = SUGGESTION_CATEGORIES_BY_KIND[by.kind] ?? [];
  if (!allowed.includes(data.category)) {
    fail(
      'unauthorized',
      `${by.name}（${AGENCY_KIND_NAMES[by.kind]}）不能发出「${SUGGESTION_CATEGORY_NAMES[data.category]}」（category ${data.category}）：法院发出司法建议（judicial），检察院发出检察建议（procuratorial、public_interest），司法行政机关发出行政复议意见书（reconsideration_opinion）。`,
    );
  }
  if (data.replyDays !== undefined && !(data.category === 'procuratorial' && data.urgent === true)) {
    fail('invalid_data', 'replyDays（回复期限天数）只适用于紧急的检察建议（category procuratorial 且 urgent: true）：请删去 replyDays，或核对 category 与 urgent。');
  }
  const file = requireCase(state, command);
  if (file.suggestions[data.suggestionId]) {
    fail('invalid_transition', `本案已有编号为「${data.suggestionId}」的建议，不能重复发出：新的建议请使用新的 suggestionId。`);
  }
  if (data.to === by.id) fail('invalid_transition', `建议的收受机关（to）不能是发出机关自身（${by.name}）：请填写被建议的机关。`);
  return [factOf(command)];
};

const requireSuggestion = (file: CaseFile, command: CaseCommand & { data: { suggestionId: string } }) => {
  const suggestion = file.suggestions[command.data.suggestionId];
  if (!suggestion) return awaitFact('invalid_transition', `本案没有编号为「${command.data.suggestionId}」的建议：请核对 suggestionId。`);
  return suggestion;
};

const serveSuggestion = (command: ServeSuggestion, state: CaseState): CaseEvent[] => {
  const suggestion = requireSuggestion(requireCase(state, command), command);
  if (command.by.id !== suggestion.from) {
    fail('invalid_transition', `建议「${suggestion.id}」由 ${nameOf(command.context, suggestion.from)} 发出，只有发出机关可以报告送达（suggestion.served）；被建议单位请发布 suggestion.received。`);
  }
  if (suggestion.servedAt !== null) fail('invalid_transition', `建议「${suggestion.id}」已记录于 ${suggestion.servedAt} 送达，只能报告一次。`);
  return [factOf(command)];
};

const receiveSuggestion = (command: ReceiveSuggestion, state: CaseState): CaseEvent[] => {
  const suggestion = requireSuggestion(requireCase(state, command), command);
  if (command.by.id !== suggestion.to) {
    fail('invalid_transition', `建议「${suggestion.id}」的被建议单位是 ${nameOf(command.context, suggestion.to)}，只有被建议单位可以签收（suggestion.received）。`);
  }
  if (suggestion.receivedAt !== null) fail('invalid_transition', `建议「${suggestion.id}」已于 ${suggestion.receivedAt} 签收，不能重复签收。`);
  return [factOf(command)];
};

const replyToSuggestion = (command: ReplyToSuggestion, state: CaseState): CaseEvent[] => {
  const file = requireCase(state, command);
  const suggestion = file.suggestions[command.data.suggestionId];
  if (!suggestion) {
    return awaitFact('invalid_transition', `本案没有编号为「${command.data.suggestionId}」的建议：请核对 suggestionId。`);
  }
  if (command.by.id !== suggestion.to) {
    fail('invalid_transition', `建议「${suggestion.id}」是向 ${nameOf(command.context, suggestion.to)} 发出的，只有该机关可以回复。`);
  }
  if (suggestion.repliedAt !== null) fail('invalid_transition', `建议「${suggestion.id}」已于 ${suggestion.repliedAt} 回复，只能回复一次。`);
  return [factOf(command)];
};

// ---------------------------------------------------------------------------------------------
// Administrative reconsideration

const decideReconsideration = (command: DecideReconsideration, state: CaseState): CaseEvent[] => {
  const { performanceDueAt, performanceDays, decision } = command.data;
  if (performanceDueAt !== undefined && performanceDays !== undefined) {
    fail('invalid_data', 'performanceDueAt（履行期限日期）与 performanceDays（履行期限天数）只能填写一项：请删去其中一项后重新发送。');
  }
  if (decision === 'ordered_performance' && performanceDueAt === undefined && performanceDays === undefined) {
    fail('invalid_data', '责令履行（ordered_performance）的复议决定必须填写履行期限：performanceDueAt（日期）或 performanceDays（天数）。');
  }
  const file = requireCase(state, command);
  if (file.kind !== 'administrative_reconsideration') {
    fail('invalid_transition', `案件「${command.caseId}」是${CASE_KINDS[file.kind].name}案件，不是行政复议案件，不能发布复议决定：请核对 subject。`);
  }
  requireOpen(file, command);
  if (file.reconsideration) {
    fail(
      'invalid_transition',
      `本案已于 ${file.reconsideration.decidedAt} 作出复议决定（${RECONSIDERATION_DECISION_NAMES[file.reconsideration.decision]}），只能决定一次。`,
    );
  }
  const events: CaseEvent[] = [factOf(command)];
  if (isCorrective(command.data.decision)) {
    const notice = copyNotice(command, file, 'reconsideration_corrected', 'reconsideration.decided', noticeIdFor(command.caseId, 'reconsideration'), command.context);
    if (notice) events.push(notice);
  }
  return events;
};

/** The decision clock's course (extension, 中止, 恢复) is open only on an undecided reconsideration case. */
const requireUndecidedReconsideration = (command: CaseCommand, state: CaseState): ExistingCase => {
  const file = requireCase(state, command);
  if (file.kind !== 'administrative_reconsideration') {
    fail('invalid_transition', `案件「${command.caseId}」是${CASE_KINDS[file.kind].name}案件，不是行政复议案件，不能发布 ${FACT_TYPE_OF_COMMAND[command.type]}：请核对 subject。`);
  }
  requireOpen(file, command);
  if (file.reconsideration) {
    fail('invalid_transition', `本案已于 ${file.reconsideration.decidedAt} 作出复议决定（${RECONSIDERATION_DECISION_NAMES[file.reconsideration.decision]}），审理期限不再${command.type === 'ExtendReconsideration' ? '延长' : command.type === 'SuspendReconsideration' ? '中止' : '恢复'}。`);
  }
  return file;
};

const extendReconsideration = (command: ExtendReconsideration, state: CaseState): CaseEvent[] => {
  const file = requireUndecidedReconsideration(command, state);
  if (file.procedure !== 'ordinary') {
    fail('invalid_transition', `本案适用${RECONSIDERATION_PROCEDURE_NAMES[file.procedure]}，审理期限不能延长（行政复议法第62条只允许普通程序延长）。`);
  }
  const clock = file.reconsiderationClock;
  if (clock.extendedAt !== null) fail('invalid_transition', `本案审理期限已于 ${clock.extendedAt} 延长 ${clock.extensionDays} 日，只能延长一次（行政复议法第62条）。`);
  return [factOf(command)];
};

const suspendReconsideration = (command: SuspendReconsideration, state: CaseState): CaseEvent[] => {
  const file = requireUndecidedReconsideration(command, state);
  const open = openSuspension(file.reconsiderationClock);
  if (open) fail('invalid_transition', `本案已于 ${open.suspendedAt} 中止审理，尚未恢复，不能再次中止。`);
  return [factOf(command)];
};

const resumeReconsideration = (command: ResumeReconsideration, state: CaseState): CaseEvent[] => {
  const file = requireUndecidedReconsideration(command, state);
  if (!openSuspension(file.reconsiderationClock)) fail('invalid_transition', '本案没有中止审理，不能恢复：请先发布 reconsideration.suspended。');
  return [factOf(command)];
};

const recordReconsiderationPerformed = (command: RecordReconsiderationPerformed, state: CaseState): CaseEvent[] => {
  const file = requireCase(state, command);
  const decision = file.reconsideration;
  if (!decision) return fail('invalid_transition', '本案尚未作出复议决定，没有需要履行的内容：请待复议机构发布 reconsideration.decided 后再发送。');
  if (command.by.id !== file.defendantAgencyId) {
    fail('invalid_transition', `复议决定由被申请人 ${nameOf(command.context, file.defendantAgencyId)} 履行，只有该机关可以报告履行情况。`);
  }
  if (!decision.needsPerformance) {
    fail('invalid_transition', `本案复议决定为「${RECONSIDERATION_DECISION_NAMES[decision.decision]}」，没有需要履行的内容。`);
  }
  if (decision.performedAt !== null) fail('invalid_transition', `本案复议决定已于 ${decision.performedAt} 报告履行，不能重复报告。`);
  return [factOf(command)];
};

// ---------------------------------------------------------------------------------------------
// Community correction

const reportCorrection = (command: ReportCorrection, state: CaseState): CaseEvent[] => {
  const file = requireCase(state, command);
  if (!Object.values(file.judgments).some((j) => j.communityCorrection)) {
    fail('invalid_transition', '本案没有适用社区矫正（communityCorrection: true）的裁判，不能报告社区矫正报到：请核对 subject。');
  }
  if (file.correctionReportedAt !== null) fail('invalid_transition', `本案社区矫正对象已于 ${file.correctionReportedAt} 报到，不能重复报告。`);
  return [factOf(command)];
};

/**
 * 脱管 (revision 2): the person reported and is now out of contact. Like the report, it is accepted after the case is
 * closed: supervision runs on after the criminal case ends.
 */
const reportAbsconded = (command: ReportAbsconded, state: CaseState): CaseEvent[] => {
  const file = requireCase(state, command);
  if (file.correctionReportedAt === null) {
    fail(
      'invalid_transition',
      '本案社区矫正对象尚未报到，不能报告脱管（correction.absconded 指已报到的对象失去联系）：未按期报到属漏管风险，平台按报到期限自动列入关注；对象报到后请先发布 correction.reported。',
    );
  }
  const open = openAbscondment(file);
  if (open) fail('invalid_transition', `本案社区矫正对象已于 ${open.abscondedAt} 报告脱管，尚未查找到，不能重复报告：查找到后请发布 correction.located。`);
  return [factOf(command)];
};

const reportLocated = (command: ReportLocated, state: CaseState): CaseEvent[] => {
  const file = requireCase(state, command);
  if (!openAbscondment(file)) fail('invalid_transition', '本案社区矫正对象没有处于脱管状态，不能报告查找到：请先发布 correction.absconded，或核对 subject。');
  return [factOf(command)];
};

// ---------------------------------------------------------------------------------------------
// Copy notices

const copyNotice = (
  command: CaseCommand,
  file: ExistingCase,
  reason: NoticeReason,
  trigger: NoticeIssuedData['trigger'],
  noticeId: string,
  ctx: DecisionContext,
): CaseEvent | null => {
  if (file.copyNotices[noticeId]) return null;
  const recipients = copyNoticeRecipients(file.defendantAgencyId, ctx);
  if (recipients.length === 0) return null;
  const data: NoticeIssuedData = { noticeId, reason, recipients, trigger };
  return { type: 'notice.issued', data, time: command.time, source: null };
};

const acknowledgeNotice = (command: AcknowledgeNotice, state: CaseState): CaseEvent[] => {
  const file = requireCase(state, command);
  const notice = file.copyNotices[command.data.noticeId];
  if (!notice) return awaitFact('invalid_transition', `本案没有编号为「${command.data.noticeId}」的抄告：请核对 noticeId。`);
  if (!notice.recipients.includes(command.by.id)) {
    fail('invalid_transition', `抄告「${notice.id}」的接收机关是 ${notice.recipients.map((id) => nameOf(command.context, id)).join('、')}，${command.by.name} 不在其中，不能签收。`);
  }
  const acknowledgedAt = notice.acknowledgements[command.by.id];
  if (acknowledgedAt) fail('invalid_transition', `${command.by.name} 已于 ${acknowledgedAt} 签收抄告「${notice.id}」，每个接收机关只签收一次。`);
  return [factOf(command)];
};

// ---------------------------------------------------------------------------------------------
// Legal disputes of Party and government organs and state enterprises (涉党政机关、国有企业法律纠纷; revision 2).
// Consultation (会商研判) is business of an open dispute; its conclusion, the 责任倒查 that follows a loss and the
// rectifications (以案促管) it leads to come after the dispute is over, often after the case was closed: they are
// accepted on a closed case too (docs/decisions.md).

const requireGovernmentDispute = (command: CaseCommand, state: CaseState): ExistingCase => {
  const file = requireCase(state, command);
  if (file.kind !== 'government_dispute') {
    fail(
      'invalid_transition',
      `案件「${command.caseId}」是${CASE_KINDS[file.kind].name}案件，不是涉党政机关、国有企业法律纠纷（government_dispute），不能发布 ${FACT_TYPE_OF_COMMAND[command.type]}：请核对 subject。`,
    );
  }
  return file;
};

const consultOnDispute = (command: ConsultOnDispute, state: CaseState): CaseEvent[] => {
  for (const participant of command.data.participants) requireConfigured(command.context, participant, 'participants');
  const file = requireGovernmentDispute(command, state);
  requireOpen(file, command);
  return [factOf(command)];
};

const concludeDispute = (command: ConcludeDispute, state: CaseState): CaseEvent[] => {
  const { data, by, context: ctx } = command;
  if (data.lossAmount !== undefined && data.lossAmount > 0 && NO_LOSS_DISPUTE_OUTCOMES.includes(data.outcome)) {
    fail('invalid_data', `结果为「${DISPUTE_OUTCOME_NAMES[data.outcome]}」的纠纷没有损失，不能填写 lossAmount（损失金额）：请删去 lossAmount，或核对 outcome。`);
  }
  const file = requireGovernmentDispute(command, state);
  if (by.id !== file.registeredBy && by.kind !== 'justice') {
    fail('invalid_transition', `纠纷结果由登记（备案）该纠纷的机关（${nameOf(ctx, file.registeredBy)}）或司法行政机关报告；${by.name} 不能发布 dispute.concluded。`);
  }
  const conclusion = disputeOf(file)!.conclusion;
  if (conclusion !== null) {
    fail('invalid_transition', `本纠纷已于 ${conclusion.concludedAt} 报告结果（${DISPUTE_OUTCOME_NAMES[conclusion.outcome]}），只能报告一次。`);
  }
  return [factOf(command)];
};

/** 责任倒查 follows a loss: a dispute lost (in part), a suit the agency lost, or a reconsideration that corrected it. */
const reviewAccountability = (command: ReviewAccountability, state: CaseState): CaseEvent[] => {
  requireConfigured(command.context, command.data.agencyId, 'agencyId');
  const file = requireCase(state, command);
  const lostDispute = isLostDispute(disputeOf(file)?.conclusion?.outcome);
  const lostSuit = Object.values(file.judgments).some((j) => j.outcome === 'agency_lost');
  const corrected = file.reconsideration?.corrective === true;
  if (!lostDispute && !lostSuit && !corrected) {
    fail(
      'invalid_transition',
      `责任倒查（accountability.reviewed）只适用于败诉或部分败诉的法律纠纷、行政机关败诉的行政诉讼或被纠错的行政复议；案件「${command.caseId}」目前没有这样的结果：请待 dispute.concluded、judgment.issued 或 reconsideration.decided 发布后再发送。`,
    );
  }
  return [factOf(command)];
};

const orderRectification = (command: OrderRectification, state: CaseState): CaseEvent[] => {
  const { data, by, context: ctx } = command;
  requireConfigured(ctx, data.to, 'to');
  const ordered = chinaDate(command.time);
  if (compareDates(data.dueDate, ordered) < 0) {
    fail('invalid_data', `整改期限 dueDate（${data.dueDate}）早于整改通知的日期（${ordered}）：请填写今后的日期。`);
  }
  const file = requireCase(state, command);
  const existing = rectificationsOf(file)[data.rectificationId];
  if (existing) {
    fail('invalid_transition', `本案已有编号为「${data.rectificationId}」的整改（${existing.orderedAt}），不能重复发出：新的整改请使用新的 rectificationId。`);
  }
  if (data.to === by.id) fail('invalid_transition', `整改责任机关（to）不能是发出整改要求的机关自身（${by.name}）：请填写应当整改的机关。`);
  return [factOf(command)];
};

const completeRectification = (command: CompleteRectification, state: CaseState): CaseEvent[] => {
  const file = requireCase(state, command);
  const rectification = rectificationsOf(file)[command.data.rectificationId];
  if (!rectification) return awaitFact('invalid_transition', `本案没有编号为「${command.data.rectificationId}」的整改：请核对 rectificationId，或待发出机关发布 rectification.ordered。`);
  if (command.by.id !== rectification.to) {
    fail('invalid_transition', `整改「${rectification.id}」由 ${nameOf(command.context, rectification.to)} 负责，只有该机关可以报告整改完成。`);
  }
  if (rectification.completedAt !== null) fail('invalid_transition', `整改「${rectification.id}」已于 ${rectification.completedAt} 报告完成，只能报告一次。`);
  return [factOf(command)];
};

// ---------------------------------------------------------------------------------------------

/** The catalog's `by` kinds, checked here too so commands built outside the ingest pipeline obey them. */
const authorizeKind = (command: CaseCommand): void => {
  const type = FACT_TYPE_OF_COMMAND[command.type];
  const entry = CATALOG.get(type);
  if (entry && !entry.by.includes(command.by.kind)) {
    fail('unauthorized', `${command.by.name}（${AGENCY_KIND_NAMES[command.by.kind]}）无权发布 ${type}：该事件由${entry.publishedBy}发布。`);
  }
};

export const decideCase = (command: CaseCommand, state: CaseState): CaseEvent[] => {
  authorizeKind(command);
  switch (command.type) {
    case 'RegisterCase':
      return registerCase(command, state);
    case 'CloseCase':
      return closeCase(command, state);
    case 'ReportSelfCorrection':
      return reportSelfCorrection(command, state);
    case 'RequestHandoff':
      return requestHandoff(command, state);
    case 'ReceiveHandoff':
      return receiveHandoff(command, state);
    case 'AcceptHandoff':
      return acceptHandoff(command, state);
    case 'ReturnHandoff':
      return returnHandoff(command, state);
    case 'ExtendHandoff':
      return extendHandoff(command, state);
    case 'CompleteHandoff':
      return completeHandoff(command, state);
    case 'WithdrawHandoff':
      return withdrawHandoff(command, state);
    case 'ScheduleHearing':
      return scheduleHearing(command, state);
    case 'RecordHearingHeld':
      return recordHearingHeld(command, state);
    case 'IssueJudgment':
      return issueJudgment(command, state);
    case 'RecordJudgmentEffective':
      return recordJudgmentEffective(command, state);
    case 'DecideJudicialConfirmation':
      return decideJudicialConfirmation(command, state);
    case 'IssueSuggestion':
      return issueSuggestion(command, state);
    case 'ServeSuggestion':
      return serveSuggestion(command, state);
    case 'ReceiveSuggestion':
      return receiveSuggestion(command, state);
    case 'ReplyToSuggestion':
      return replyToSuggestion(command, state);
    case 'DecideReconsideration':
      return decideReconsideration(command, state);
    case 'ExtendReconsideration':
      return extendReconsideration(command, state);
    case 'SuspendReconsideration':
      return suspendReconsideration(command, state);
    case 'ResumeReconsideration':
      return resumeReconsideration(command, state);
    case 'RecordReconsiderationPerformed':
      return recordReconsiderationPerformed(command, state);
    case 'ReportCorrection':
      return reportCorrection(command, state);
    case 'ReportAbsconded':
      return reportAbsconded(command, state);
    case 'ReportLocated':
      return reportLocated(command, state);
    case 'AcknowledgeNotice':
      return acknowledgeNotice(command, state);
    case 'ConsultOnDispute':
      return consultOnDispute(command, state);
    case 'ConcludeDispute':
      return concludeDispute(command, state);
    case 'ReviewAccountability':
      return reviewAccountability(command, state);
    case 'OrderRectification':
      return orderRectification(command, state);
    case 'CompleteRectification':
      return completeRectification(command, state);
    default: {
      const _exhaustive: never = command;
      throw new Error(`unknown case command ${JSON.stringify(_exhaustive)}`);
    }
  }
};

export const caseDecider: Decider<CaseCommand, DomainEvent, CaseState> = {
  decide: decideCase,
  evolve: evolveCase,
  initialState: initialCaseState,
};

/** A typed view of a case event's data, for readers that switch on `type`. */
export type CaseEventData<T extends CaseEventType> = CaseEventDataByType[T];
