/**
 * A case stream (`case-<caseId>`): its events, its state, and how each event changes the state.
 * Stored event types are the catalog type codes; stored `data` is the published data unchanged;
 * `time` is the envelope time and `source` the publishing agency (null for the platform's copy notices).
 */
import type { DomainEvent } from '../shared/events.js';
import type {
  Appearance,
  AccountabilityFinding,
  CaseKind,
  CloseOutcome,
  DisputeOutcome,
  HandoffStatus,
  JudgmentOutcome,
  NoticeReason,
  PartyRole,
  PartyType,
  ReconsiderationDecision,
  ReconsiderationProcedure,
  SuggestionCategory,
} from '../catalog/vocabulary.js';
import { isCorrective } from '../catalog/vocabulary.js';
import { chinaDate, compareDates, DAYS_EXTENSION_GROUNDS, type HandoffExtensionGround, type HandoffProcedure, type HandoffPurpose, type IsoDate, type PossibleSentence } from '../deadlines/index.js';
import { withEntry } from '../shared/keyed.js';

// ---------------------------------------------------------------------------------------------
// Event data: the published shapes (events.md §3), plus the platform's `notice.issued`.

export interface Party {
  readonly name: string;
  readonly role: PartyRole;
  readonly type: PartyType;
}
export interface HandoffDocument {
  readonly title: string;
  readonly sha256?: string;
}

export type CaseRegisteredData = {
  readonly kind: CaseKind;
  readonly title: string;
  readonly caseNumber?: string;
  readonly parties: readonly Party[];
  readonly defendantAgencyId?: string;
  readonly privateEnterprise?: boolean;
  /** the older name of `procedure: simplified` */
  readonly fastTrack?: boolean;
  readonly procedure?: ReconsiderationProcedure;
  /** 重大疑难: keeps a private enterprise's reconsideration on the ordinary 60 days */
  readonly majorOrComplex?: boolean;
  readonly major?: boolean;
  /** revision 2: the 行政复议 case this suit follows (administrative_litigation only) */
  readonly reconsiderationCaseId?: string;
  /** government_dispute (revision 2): 主管单位 — required for disputes published since; absent on revision-1 ones */
  readonly responsibleAgencyId?: string;
  /** 承办单位, e.g. a state enterprise's name */
  readonly handlingUnit?: string;
  /** 标的额, yuan */
  readonly amount?: number;
  /** the day the dispute arose or was served: the 备案 period runs from it */
  readonly arisenAt?: IsoDate;
};
export type CaseClosedData = {
  readonly outcome: CloseOutcome;
  readonly note?: string;
};
export type SelfCorrectionReportedData = {
  readonly agencyId: string;
  readonly action: string;
};
export type HandoffRequestedData = {
  readonly handoffId: string;
  readonly to: string;
  readonly purpose: HandoffPurpose;
  readonly documents?: readonly HandoffDocument[];
  readonly note?: string;
  readonly previousHandoffId?: string;
  /** 在押 (criminal purposes): the clock is not shifted over holidays (刑事诉讼法 Art. 105) */
  readonly inCustody?: boolean;
  /** absent = ordinary (every revision-1 request) */
  readonly procedure?: HandoffProcedure;
  readonly possibleSentence?: PossibleSentence;
};
export type HandoffRefData = {
  readonly handoffId: string;
  /**
   * Never published: set by the upcaster of stored events (upcastRevision1HandoffReceived) on a `handoff.received`
   * stored before revision 2, when receipt started every handoff clock — a 公诉 trial clock too, which revision 2
   * starts at 受理 (`handoff.accepted`).
   */
  readonly receiptStartedClock?: true;
};
export type HandoffReturnedData = {
  readonly handoffId: string;
  readonly reason: string;
};
/**
 * Version 2 names a `ground` (days only for the grounds that take a number of days); version 1 (stored before
 * revision 2, or published with dataschema `urn:liandong:handoff.extended:1`) has no ground and `days` added once.
 */
export type HandoffExtendedData = {
  readonly handoffId: string;
  readonly ground?: HandoffExtensionGround;
  readonly days?: number;
  readonly approvedBy: string;
};
export type HandoffCompletedData = {
  readonly handoffId: string;
  readonly outcome: string;
};
export type HandoffWithdrawnData = {
  readonly handoffId: string;
  readonly reason: string;
};
export type HearingScheduledData = {
  readonly hearingId: string;
  readonly at: string;
  readonly observers?: readonly string[];
};
export type HearingHeldData = {
  readonly hearingId: string;
  readonly agencyHeadAppeared?: boolean;
  /** revision 2: who appeared for the defendant agency; principal/deputy mean the head appeared */
  readonly appearance?: Appearance;
  readonly observerAgencies?: readonly string[];
};
export type JudgmentIssuedData = {
  readonly judgmentId: string;
  readonly outcome: JudgmentOutcome;
  readonly effectiveAt?: string;
  readonly communityCorrection?: boolean;
};
export type JudgmentEffectiveData = {
  readonly judgmentId: string;
  readonly effectiveAt: IsoDate;
};
export type JudicialConfirmationDecidedData = {
  readonly granted: boolean;
};
export type SuggestionIssuedData = {
  readonly suggestionId: string;
  readonly to: string;
  readonly category: SuggestionCategory;
  readonly summary: string;
  readonly urgent?: boolean;
  /** urgent `procuratorial` only: the reply period the procuratorate set */
  readonly replyDays?: number;
  /**
   * Never published (the schema has no such field): set by `upcastRevision1SuggestionIssued` on a suggestion.issued
   * stored before revision 2, whose reply clock ran from the day of issue.
   */
  readonly servedAt?: IsoDate;
};
export type SuggestionServedData = {
  readonly suggestionId: string;
  /** the date on the 送达回证 */
  readonly servedAt: IsoDate;
};
export type SuggestionReceivedData = {
  readonly suggestionId: string;
};
export type SuggestionRepliedData = {
  readonly suggestionId: string;
  readonly adopted: boolean;
  readonly summary: string;
};
export type ReconsiderationDecidedData = {
  readonly decision: ReconsiderationDecision;
  readonly performanceDueAt?: string;
  readonly performanceDays?: number;
};
export type ReconsiderationExtendedData = {
  readonly days: number;
  readonly approvedBy: string;
};
export type ReconsiderationSuspendedData = {
  readonly reason: string;
};
export type ReconsiderationResumedData = Readonly<Record<string, never>>;
export type ReconsiderationPerformedData = {
  readonly summary: string;
};
export type CorrectionReportedData = Readonly<Record<string, never>>;
/** revision 2: 脱管 — the person reported and is now out of contact */
export type CorrectionAbscondedData = { readonly note?: string };
/** revision 2: the absconded person is found again */
export type CorrectionLocatedData = { readonly note?: string };
export type NoticeAcknowledgedData = {
  readonly noticeId: string;
};
// Legal disputes of state organs and state enterprises (revision 2)
export type DisputeConsultedData = {
  readonly opinion: string;
  readonly participants: readonly string[];
};
export type DisputeConcludedData = {
  readonly outcome: DisputeOutcome;
  readonly lossAmount?: number;
};
export type AccountabilityReviewedData = {
  readonly agencyId: string;
  readonly finding: AccountabilityFinding;
  readonly measures?: string;
};
export type RectificationOrderedData = {
  readonly rectificationId: string;
  readonly to: string;
  readonly summary: string;
  readonly dueDate: IsoDate;
};
export type RectificationCompletedData = {
  readonly rectificationId: string;
  readonly summary: string;
};
/** Platform event: the copy-notice policy (同步抄告) recorded a notice on the case. */
export type NoticeIssuedData = {
  readonly noticeId: string;
  readonly reason: NoticeReason;
  readonly recipients: readonly string[];
  /** the type of the fact that triggered it: `judgment.issued` or `reconsideration.decided` */
  readonly trigger: 'judgment.issued' | 'reconsideration.decided';
};

export interface CaseEventDataByType {
  'case.registered': CaseRegisteredData;
  'case.closed': CaseClosedData;
  'self_correction.reported': SelfCorrectionReportedData;
  'handoff.requested': HandoffRequestedData;
  'handoff.received': HandoffRefData;
  'handoff.accepted': HandoffRefData;
  'handoff.returned': HandoffReturnedData;
  'handoff.extended': HandoffExtendedData;
  'handoff.completed': HandoffCompletedData;
  'handoff.withdrawn': HandoffWithdrawnData;
  'hearing.scheduled': HearingScheduledData;
  'hearing.held': HearingHeldData;
  'judgment.issued': JudgmentIssuedData;
  'judgment.effective': JudgmentEffectiveData;
  'judicial_confirmation.decided': JudicialConfirmationDecidedData;
  'suggestion.issued': SuggestionIssuedData;
  'suggestion.served': SuggestionServedData;
  'suggestion.received': SuggestionReceivedData;
  'suggestion.replied': SuggestionRepliedData;
  'reconsideration.decided': ReconsiderationDecidedData;
  'reconsideration.extended': ReconsiderationExtendedData;
  'reconsideration.suspended': ReconsiderationSuspendedData;
  'reconsideration.resumed': ReconsiderationResumedData;
  'reconsideration.performed': ReconsiderationPerformedData;
  'correction.reported': CorrectionReportedData;
  'correction.absconded': CorrectionAbscondedData;
  'correction.located': CorrectionLocatedData;
  'dispute.consulted': DisputeConsultedData;
  'dispute.concluded': DisputeConcludedData;
  'accountability.reviewed': AccountabilityReviewedData;
  'rectification.ordered': RectificationOrderedData;
  'rectification.completed': RectificationCompletedData;
  'notice.acknowledged': NoticeAcknowledgedData;
  'notice.issued': NoticeIssuedData;
}
export type CaseEventType = keyof CaseEventDataByType;

/** A typed case event. Deciders emit these; the store hands back plain DomainEvents of the same shape. */
export type CaseEvent = {
  [T in CaseEventType]: DomainEvent<T, CaseEventDataByType[T]>;
}[CaseEventType];

export const CASE_EVENT_TYPES: readonly CaseEventType[] = [
  'case.registered',
  'case.closed',
  'self_correction.reported',
  'handoff.requested',
  'handoff.received',
  'handoff.accepted',
  'handoff.returned',
  'handoff.extended',
  'handoff.completed',
  'handoff.withdrawn',
  'hearing.scheduled',
  'hearing.held',
  'judgment.issued',
  'judgment.effective',
  'judicial_confirmation.decided',
  'suggestion.issued',
  'suggestion.served',
  'suggestion.received',
  'suggestion.replied',
  'reconsideration.decided',
  'reconsideration.extended',
  'reconsideration.suspended',
  'reconsideration.resumed',
  'reconsideration.performed',
  'correction.reported',
  'correction.absconded',
  'correction.located',
  'dispute.consulted',
  'dispute.concluded',
  'accountability.reviewed',
  'rectification.ordered',
  'rectification.completed',
  'notice.acknowledged',
  'notice.issued',
];

/** The platform's own case event types (policy events, source null). */
export const PLATFORM_CASE_EVENT_TYPES = ['notice.issued'] as const;

// ---------------------------------------------------------------------------------------------
// State

export interface Handoff {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly purpose: HandoffPurpose;
  readonly status: HandoffStatus;
  readonly requestedAt: string;
  /** signed receipt; an acceptance straight from REQUESTED implies receipt at the same time */
  readonly receivedAt: string | null;
  readonly acceptedAt: string | null;
  /** received under revision 1, whose receipt started the clock of every purpose (HandoffRefData.receiptStartedClock) */
  readonly receiptStartedClock?: true;
  readonly completedAt: string | null;
  readonly returnedAt: string | null;
  readonly withdrawnAt: string | null;
  readonly outcome: string | null;
  /** 补正 / 退回补充侦查 */
  readonly returnReason: string | null;
  readonly withdrawReason: string | null;
  /** 在押: the handoff's clock ends on its last day even on a holiday */
  readonly inCustody: boolean;
  /** null = ordinary (not stated, as in every revision-1 request) */
  readonly procedure: HandoffProcedure | null;
  readonly possibleSentence: PossibleSentence | null;
  /** the `days` the extensions named (revision-1 extensions, supreme_court, parties_consent); 0 when none */
  readonly extensionDays: number;
  /** every `handoff.extended` in order; the clock applies them (handoffDueDate) */
  readonly extensions: readonly HandoffExtension[];
  readonly extensionApprovedBy: string | null;
  readonly extendedAt: string | null;
  readonly previousHandoffId: string | null;
  /**
   * The request's document list and note: set by the request and never read by a rule. Absent from the handoffs that
   * read models showing neither keep (withoutRequestPapers); the handoff board's documents have them.
   */
  readonly documents?: readonly HandoffDocument[];
  readonly note?: string | null;
}

/**
 * A handoff without its request's document list and note, for read models that keep handoffs but show neither (the
 * handoff board keeps them); the same object when it has neither. No rule reads them after the request.
 */
export function withoutRequestPapers(handoff: Handoff): Handoff {
  if (handoff.documents === undefined && handoff.note === undefined) return handoff;
  const { documents: _documents, note: _note, ...kept } = handoff;
  return kept;
}

/**
 * What a case keeps of each of its handoffs where the handoff itself is kept elsewhere (the case read model keeps
 * these; the handoff board keeps each whole handoff): who sent it to whom, why and when, and its receipt — what the
 * case-level rules read of a handoff (the community-correction clocks: caseDeadlines) and what orders a case's list.
 */
export type HandoffLink = Pick<Handoff, 'id' | 'from' | 'to' | 'purpose' | 'requestedAt' | 'receivedAt'>;

export const handoffLink = (h: HandoffLink): HandoffLink => ({ id: h.id, from: h.from, to: h.to, purpose: h.purpose, requestedAt: h.requestedAt, receivedAt: h.receivedAt });

/** A whole case with its handoffs as links: what the case read model holds of it (the same fields in the same order). */
export const linkedCase = (s: ExistingCase): LinkedCase => {
  const handoffs: Record<string, HandoffLink> = {};
  for (const id in s.handoffs) handoffs[id] = handoffLink(s.handoffs[id]!);
  return { ...s, handoffs };
};

/**
 * A handoff's link after one of its events: evolveHandoff (the one definition) applied to the link. The link's fields
 * change only from themselves and the event (a request sets them all; a receipt, acceptance or completion sets
 * `receivedAt` from the time or the link's own `receivedAt`), so the fields evolveHandoff fills from the rest of a
 * handoff are dropped unread. The same object when they did not change; null as evolveHandoff.
 */
export const evolveHandoffLink = (link: HandoffLink | null, input: CaseEventInput): HandoffLink | null => {
  const next = evolveHandoff(link as Handoff | null, input);
  if (next === null) return null;
  if (
    link !== null &&
    next.id === link.id &&
    next.from === link.from &&
    next.to === link.to &&
    next.purpose === link.purpose &&
    next.requestedAt === link.requestedAt &&
    next.receivedAt === link.receivedAt
  ) {
    return link;
  }
  return handoffLink(next);
};

export interface HandoffExtension {
  /** null: a revision-1 extension (its days, added once) */
  readonly ground: HandoffExtensionGround | null;
  readonly days: number | null;
  readonly approvedBy: string;
  readonly at: string;
}

export interface Hearing {
  readonly id: string;
  readonly at: string;
  readonly scheduledBy: string;
  readonly scheduledAt: string;
  readonly observers: readonly string[];
  readonly held: boolean;
  readonly heldAt: string | null;
  /** 行政机关负责人出庭应诉 as published (revision 1's flag) */
  readonly agencyHeadAppeared: boolean | null;
  /** revision 2: who appeared; null when not published (headAppeared reads both) */
  readonly appearance: Appearance | null;
  readonly observerAgencies: readonly string[];
}

export interface Judgment {
  readonly id: string;
  readonly outcome: JudgmentOutcome;
  /** date the judgment took effect, when published */
  readonly effectiveAt: string | null;
  readonly communityCorrection: boolean;
  readonly issuedAt: string;
  readonly issuedBy: string;
}

export interface JudicialConfirmation {
  readonly granted: boolean;
  readonly decidedAt: string;
  readonly decidedBy: string;
}

export interface Suggestion {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly category: SuggestionCategory;
  readonly summary: string;
  readonly urgent: boolean;
  /** the reply period an urgent 检察建议 set (replyDays), null otherwise */
  readonly replyDays: number | null;
  readonly issuedAt: string;
  /** `suggestion.received`: the time the addressee signed for it */
  readonly receivedAt: string | null;
  /** `suggestion.served`: the date on the issuer's 送达回证 */
  readonly servedAt: IsoDate | null;
  readonly repliedAt: string | null;
  readonly adopted: boolean | null;
  readonly replySummary: string | null;
}

export interface Reconsideration {
  readonly decision: ReconsiderationDecision;
  readonly decidedAt: string;
  readonly decidedBy: string;
  /** 纠错: revoked, altered, confirmed_unlawful or ordered_performance */
  readonly corrective: boolean;
  readonly performanceDueAt: string | null;
  /** days from the decision to perform it (the days rule, shifted), when no date was set */
  readonly performanceDays: number | null;
  /** the decision still has to be carried out by the defendant agency */
  readonly needsPerformance: boolean;
  readonly performedAt: string | null;
  readonly performanceSummary: string | null;
}

/**
 * The reconsideration decision clock's course before the decision (行政复议法 Art. 39, 62): its one extension and its
 * suspensions (中止), each closed by its resumption (恢复).
 */
export interface ReconsiderationClock {
  readonly extensionDays: number;
  readonly extendedAt: string | null;
  readonly extensionApprovedBy: string | null;
  readonly suspensions: readonly ReconsiderationSuspension[];
}
export interface ReconsiderationSuspension {
  readonly suspendedAt: string;
  readonly reason: string;
  readonly resumedAt: string | null;
}
export const initialReconsiderationClock: ReconsiderationClock = Object.freeze({ extensionDays: 0, extendedAt: null, extensionApprovedBy: null, suspensions: [] });
/** the suspension still in force, if any */
export const openSuspension = (clock: ReconsiderationClock): ReconsiderationSuspension | null => {
  const last = clock.suspensions[clock.suspensions.length - 1];
  return last !== undefined && last.resumedAt === null ? last : null;
};

export interface CorrectionAbscondment {
  readonly abscondedAt: string;
  readonly note: string | null;
  readonly locatedAt: string | null;
  readonly locatedNote: string | null;
}
/**
 * The person is out of contact now (脱管): the open abscondment, or null. A case read model written before revision 2
 * has no list: nobody had absconded.
 */
export const openAbscondment = (s: { readonly correctionAbscondments?: readonly CorrectionAbscondment[] }): CorrectionAbscondment | null => {
  const last = s.correctionAbscondments?.at(-1);
  return last !== undefined && last.locatedAt === null ? last : null;
};

export interface SelfCorrection {
  readonly agencyId: string;
  readonly action: string;
  readonly reportedBy: string;
  readonly reportedAt: string;
}

/** 涉党政机关、国有企业法律纠纷 (备案): what a `government_dispute` registration and its later facts say. */
export interface GovernmentDispute {
  /** 主管单位 (谁主管、谁负责); a revision-1 registration named none: its registering agency stands in */
  readonly responsibleAgencyId: string;
  readonly handlingUnit: string | null;
  readonly amount: number | null;
  /** null for a revision-1 registration: its filing timeliness is unknown */
  readonly arisenAt: IsoDate | null;
  /** 会商研判, in order */
  readonly consultations: readonly DisputeConsultation[];
  readonly conclusion: DisputeConclusion | null;
}
export interface DisputeConsultation {
  readonly opinion: string;
  readonly participants: readonly string[];
  readonly consultedBy: string;
  readonly consultedAt: string;
}
export interface DisputeConclusion {
  readonly outcome: DisputeOutcome;
  readonly lossAmount: number | null;
  readonly concludedBy: string;
  readonly concludedAt: string;
}
/** 责任倒查 */
export interface AccountabilityReview {
  readonly agencyId: string;
  readonly finding: AccountabilityFinding;
  readonly measures: string | null;
  readonly reviewedBy: string;
  readonly reviewedAt: string;
}
/** 整改 (以案促管): ordered by `from`, to be done by `to` until `dueDate` */
export interface Rectification {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly summary: string;
  readonly dueDate: IsoDate;
  readonly orderedAt: string;
  readonly completedAt: string | null;
  readonly completionSummary: string | null;
}

export interface CopyNotice {
  readonly id: string;
  readonly reason: NoticeReason;
  readonly trigger: NoticeIssuedData['trigger'];
  readonly recipients: readonly string[];
  readonly issuedAt: string;
  /** recipient agency id → time of its acknowledgement */
  readonly acknowledgements: Readonly<Record<string, string>>;
}

export interface CaseFile {
  readonly id: string;
  readonly kind: CaseKind;
  readonly title: string;
  readonly caseNumber: string | null;
  readonly parties: readonly Party[];
  readonly registeredBy: string;
  readonly registeredAt: string;
  readonly defendantAgencyId: string | null;
  /** the published flag, or — when not published — a party of type `private_enterprise` */
  readonly privateEnterprise: boolean;
  /** `procedure: simplified` (or its older name `fastTrack: true`) */
  readonly fastTrack: boolean;
  readonly procedure: ReconsiderationProcedure;
  /** 重大疑难 */
  readonly majorOrComplex: boolean;
  /** 重大 */
  readonly major: boolean;
  /** every agency that published about, was named by, or received something in this case, first-seen order */
  readonly agencies: readonly string[];
  readonly handoffs: Readonly<Record<string, Handoff>>;
  readonly hearings: Readonly<Record<string, Hearing>>;
  readonly judgments: Readonly<Record<string, Judgment>>;
  /** the latest judgment */
  readonly judgment: Judgment | null;
  readonly judicialConfirmation: JudicialConfirmation | null;
  readonly suggestions: Readonly<Record<string, Suggestion>>;
  readonly reconsideration: Reconsideration | null;
  readonly reconsiderationClock: ReconsiderationClock;
  /** 社区矫正报到: the time of `correction.reported` */
  readonly correctionReportedAt: string | null;
  /** 脱管 (revision 2): each time the person went out of contact, closed when located; the last open one is now */
  readonly correctionAbscondments: readonly CorrectionAbscondment[];
  /** revision 2: the 行政复议 case this suit follows */
  readonly reconsiderationCaseId: string | null;
  readonly selfCorrections: readonly SelfCorrection[];
  readonly copyNotices: Readonly<Record<string, CopyNotice>>;
  // Revision 2. Optional: case read models stored before it lack them — read through disputeOf / rectificationsOf /
  // accountabilityReviewsOf.
  /** a government_dispute's 备案 facts; null for other kinds */
  readonly dispute?: GovernmentDispute | null;
  readonly accountabilityReviews?: readonly AccountabilityReview[];
  readonly rectifications?: Readonly<Record<string, Rectification>>;
}

export interface OpenCase extends CaseFile {
  readonly status: 'open';
  readonly closedAt: null;
  readonly closedBy: null;
  readonly outcome: null;
  readonly closeNote: null;
}
export interface ClosedCase extends CaseFile {
  readonly status: 'closed';
  readonly closedAt: string;
  readonly closedBy: string;
  readonly outcome: CloseOutcome;
  readonly closeNote: string | null;
}
export interface NoCase {
  readonly status: 'none';
}
export type CaseState = NoCase | OpenCase | ClosedCase;
export type ExistingCase = OpenCase | ClosedCase;

type WithHandoffLinks<C extends ExistingCase> = Omit<C, 'handoffs'> & { readonly handoffs: Readonly<Record<string, HandoffLink>> };
/**
 * A case that keeps its handoffs as links (HandoffLink): the case read model's state. Every rule that reads no more of
 * a handoff than its link takes one (caseDeadlines); a whole case is one too.
 */
export type LinkedCase = WithHandoffLinks<OpenCase> | WithHandoffLinks<ClosedCase>;

export const initialCaseState = (): CaseState => ({ status: 'none' });

/**
 * Published data does not repeat the case id (it is the envelope `subject`). Events read back from the
 * store may carry it as `subject`; `foldCase` sets it for sure.
 */
export type CaseEventInput = DomainEvent & { readonly subject?: string };

// ---------------------------------------------------------------------------------------------
// evolve

const withAgencies = (agencies: readonly string[], ...more: (string | null | undefined)[]): readonly string[] => {
  let next: string[] | null = null;
  for (const agency of more) {
    if (!agency || agencies.includes(agency) || next?.includes(agency)) continue;
    next ??= [...agencies];
    next.push(agency);
  }
  return next ?? agencies;
};

/**
 * The state with one handoff replaced. A new state and a new handoff map; every other handoff keeps its
 * object, which the read side relies on to carry over what it derived from them (projections/cases).
 */
const withHandoff = (state: ExistingCase, handoffId: string, handoff: Handoff): ExistingCase => ({
  ...state,
  handoffs: withEntry(state.handoffs, handoffId, handoff),
});

const involve = (state: ExistingCase, ...agencies: (string | null | undefined)[]): ExistingCase => {
  const next = withAgencies(state.agencies, ...agencies);
  return next === state.agencies ? state : { ...state, agencies: next };
};

const register = (event: DomainEvent<'case.registered', CaseRegisteredData>, caseId: string): OpenCase => {
  const data = event.data;
  const registeredBy = event.source ?? '';
  const procedure = data.procedure ?? (data.fastTrack === true ? 'simplified' : 'ordinary');
  return {
    status: 'open',
    id: caseId,
    kind: data.kind,
    title: data.title,
    caseNumber: data.caseNumber ?? null,
    parties: data.parties,
    registeredBy,
    registeredAt: event.time,
    defendantAgencyId: data.defendantAgencyId ?? null,
    privateEnterprise: data.privateEnterprise ?? data.parties.some((p) => p.type === 'private_enterprise'),
    fastTrack: procedure === 'simplified',
    procedure,
    majorOrComplex: data.majorOrComplex ?? false,
    major: data.major ?? false,
    agencies: withAgencies([], registeredBy, data.defendantAgencyId, data.kind === 'government_dispute' ? data.responsibleAgencyId : undefined),
    handoffs: {},
    hearings: {},
    judgments: {},
    judgment: null,
    judicialConfirmation: null,
    suggestions: {},
    reconsideration: null,
    reconsiderationClock: initialReconsiderationClock,
    correctionReportedAt: null,
    correctionAbscondments: [],
    reconsiderationCaseId: data.reconsiderationCaseId ?? null,
    selfCorrections: [],
    copyNotices: {},
    dispute:
      data.kind === 'government_dispute'
        ? {
            responsibleAgencyId: data.responsibleAgencyId ?? registeredBy,
            handlingUnit: data.handlingUnit ?? null,
            amount: data.amount ?? null,
            arisenAt: data.arisenAt ?? null,
            consultations: [],
            conclusion: null,
          }
        : null,
    accountabilityReviews: [],
    rectifications: {},
    closedAt: null,
    closedBy: null,
    outcome: null,
    closeNote: null,
  };
};

/** The case event types that change a handoff (the one their `handoffId` names). */
export const HANDOFF_EVENT_TYPES = [
  'handoff.requested',
  'handoff.received',
  'handoff.accepted',
  'handoff.returned',
  'handoff.extended',
  'handoff.completed',
  'handoff.withdrawn',
] as const satisfies readonly CaseEventType[];

/**
 * One handoff after one of its events: the single definition of a handoff's life, used by the case fold
 * (evolveCase) and by read models that keep one document per handoff (projections/handoffBoard). `handoff` is
 * the handoff the event's `handoffId` names (null when there is none yet); the result is null for a follow-up
 * of a handoff that does not exist, and `handoff` itself for an event that does not change handoffs. A request
 * (re)starts the handoff; a follow-up spreads the changed fields over it (the same key order as before) —
 * written out per type rather than through a change callback, as every event of a case with many handoffs
 * goes through here.
 */
export const evolveHandoff = (handoff: Handoff | null, input: CaseEventInput): Handoff | null => {
  const event = input as CaseEvent;
  const time = event.time;
  if (event.type === 'handoff.requested') {
    const d = event.data;
    return {
      id: d.handoffId,
      from: event.source ?? '',
      to: d.to,
      purpose: d.purpose,
      status: 'REQUESTED',
      requestedAt: time,
      receivedAt: null,
      acceptedAt: null,
      completedAt: null,
      returnedAt: null,
      withdrawnAt: null,
      outcome: null,
      returnReason: null,
      withdrawReason: null,
      inCustody: d.inCustody ?? false,
      procedure: d.procedure ?? null,
      possibleSentence: d.possibleSentence ?? null,
      extensionDays: 0,
      extensions: [],
      extensionApprovedBy: null,
      extendedAt: null,
      previousHandoffId: d.previousHandoffId ?? null,
      documents: d.documents ?? [],
      note: d.note ?? null,
    };
  }
  if (handoff === null) return null;
  const h = handoff;
  switch (event.type) {
    case 'handoff.received': {
      // two spreads in one literal would make V8 copy the second through its runtime, and give the handoff a shape
      // that every later spread of it copies slowly: the revision-1 flag, which few have, is added on its own
      const received: Handoff = { ...h, status: 'RECEIVED', receivedAt: time };
      return event.data.receiptStartedClock ? { ...received, receiptStartedClock: true as const } : received;
    }
    case 'handoff.accepted':
      return { ...h, status: 'ACCEPTED', acceptedAt: time, receivedAt: h.receivedAt ?? time };
    case 'handoff.returned':
      return { ...h, status: 'RETURNED', returnedAt: time, returnReason: event.data.reason };
    case 'handoff.extended': {
      const d = event.data;
      const extension: HandoffExtension = { ground: d.ground ?? null, days: d.days ?? null, approvedBy: d.approvedBy, at: time };
      return {
        ...h,
        extensionDays: h.extensionDays + (d.ground === undefined || DAYS_EXTENSION_GROUNDS.includes(d.ground) ? (d.days ?? 0) : 0),
        extensions: [...extensionsOf(h), extension],
        extensionApprovedBy: d.approvedBy,
        extendedAt: time,
      };
    }
    case 'handoff.completed':
      return { ...h, status: 'COMPLETED', completedAt: time, outcome: event.data.outcome, receivedAt: h.receivedAt ?? time };
    case 'handoff.withdrawn':
      return { ...h, status: 'WITHDRAWN', withdrawnAt: time, withdrawReason: event.data.reason };
    default:
      return h;
  }
};

/**
 * A handoff's extensions. A handoff read-model document written before revision 2 has `extensionDays` but no
 * list: its one extension was a revision-1 one (days, no ground), so it keeps its meaning without a rebuild.
 */
export const extensionsOf = (h: Pick<Handoff, 'extensionDays' | 'extendedAt' | 'extensionApprovedBy'> & { readonly extensions?: readonly HandoffExtension[] }): readonly HandoffExtension[] =>
  h.extensions ?? (h.extensionDays > 0 ? [{ ground: null, days: h.extensionDays, approvedBy: h.extensionApprovedBy ?? '', at: h.extendedAt ?? '' }] : []);

/**
 * Who is party to a handoff — the agencies a viewer must belong to to see it (graphql.md "Access": the handoffs
 * it sent or received). Sender first, no repeats.
 */
export const handoffParties = (h: Pick<Handoff, 'from' | 'to'>): readonly string[] => (h.from === h.to ? [h.from] : [h.from, h.to]);

/** The case event types that change a suggestion (the one their `suggestionId` names). */
export const SUGGESTION_EVENT_TYPES = ['suggestion.issued', 'suggestion.served', 'suggestion.received', 'suggestion.replied'] as const satisfies readonly CaseEventType[];

/**
 * Revision 1 ran a suggestion's reply clock from the day of issue and knew no receipt. A `suggestion.issued` stored
 * before revision 2 is read as served on its day of issue (docs/decisions.md), so its clock keeps its due date; one
 * published since waits for `suggestion.served` or `suggestion.received`. Called by the upcaster of stored events.
 */
/** A `handoff.received` stored before revision 2 started its handoff's clock, whatever the purpose (HandoffRefData). */
export const upcastRevision1HandoffReceived = <E extends { type: string; data: unknown }>(event: E): E =>
  event.type !== 'handoff.received' ? event : { ...event, data: { ...(event.data as object), receiptStartedClock: true } };

export const upcastRevision1SuggestionIssued = <E extends { type: string; time: string; data: unknown }>(event: E): E =>
  event.type !== 'suggestion.issued' ? event : { ...event, data: { ...(event.data as object), servedAt: chinaDate(event.time) } };

/**
 * When the reply clock started: the earlier of receipt (its China date) and service (the 送达回证 date), as the
 * instant the Suggestion.receivedAt field shows — a service date is its first moment in China time. Null before either.
 */
export const suggestionClockStart = (s: Pick<Suggestion, 'receivedAt' | 'servedAt'>): string | null => {
  const served = s.servedAt === null ? null : `${s.servedAt}T00:00:00+08:00`;
  if (s.receivedAt === null) return served;
  if (s.servedAt === null) return s.receivedAt;
  return compareDates(s.servedAt, chinaDate(s.receivedAt)) <= 0 ? served : s.receivedAt;
};

/**
 * One suggestion after one of its events: the single definition of a suggestion's life, used by the case fold
 * (evolveCase) and by the suggestions read model (projections/suggestions). As evolveHandoff: null for a reply to
 * a suggestion that does not exist, `suggestion` itself for an event that does not change suggestions.
 */
export const evolveSuggestion = (suggestion: Suggestion | null, input: CaseEventInput): Suggestion | null => {
  const event = input as CaseEvent;
  if (event.type === 'suggestion.issued') {
    const d = event.data;
    return {
      id: d.suggestionId,
      from: event.source ?? '',
      to: d.to,
      category: d.category,
      summary: d.summary,
      urgent: d.urgent ?? false,
      replyDays: d.replyDays ?? null,
      issuedAt: event.time,
      receivedAt: null,
      servedAt: d.servedAt ?? null,
      repliedAt: null,
      adopted: null,
      replySummary: null,
    };
  }
  if (suggestion === null) return null;
  if (event.type === 'suggestion.served' && event.data.suggestionId === suggestion.id) return suggestion.servedAt !== null ? suggestion : { ...suggestion, servedAt: event.data.servedAt };
  if (event.type === 'suggestion.received' && event.data.suggestionId === suggestion.id) return suggestion.receivedAt !== null ? suggestion : { ...suggestion, receivedAt: event.time };
  if (event.type === 'suggestion.replied' && event.data.suggestionId === suggestion.id) return { ...suggestion, repliedAt: event.time, adopted: event.data.adopted, replySummary: event.data.summary };
  return suggestion;
};

/** Who may see a suggestion besides organizers and auditors (graphql.md "Access": the suggestions it sent or received). */
export const suggestionParties = (s: Pick<Suggestion, 'from' | 'to'>): readonly string[] => (s.from === s.to ? [s.from] : [s.from, s.to]);

/** The case event types that change a copy notice (the one their `noticeId` names). */
export const COPY_NOTICE_EVENT_TYPES = ['notice.issued', 'notice.acknowledged'] as const satisfies readonly CaseEventType[];

/**
 * One copy notice (同步抄告) after one of its events: the single definition, used by the case fold and by the copy
 * notices read model (projections/copyNotices). Null for an acknowledgement of a notice that does not exist.
 */
export const evolveCopyNotice = (notice: CopyNotice | null, input: CaseEventInput): CopyNotice | null => {
  const event = input as CaseEvent;
  if (event.type === 'notice.issued') {
    const d = event.data;
    return { id: d.noticeId, reason: d.reason, trigger: d.trigger, recipients: d.recipients, issuedAt: event.time, acknowledgements: {} };
  }
  if (notice === null) return null;
  if (event.type === 'notice.acknowledged' && event.data.noticeId === notice.id) return { ...notice, acknowledgements: { ...notice.acknowledgements, [event.source ?? '']: event.time } };
  return notice;
};

/** Who may see a copy notice besides organizers and auditors (graphql.md "Access": the notices addressed to it). */
export const copyNoticeParties = (n: Pick<CopyNotice, 'recipients'>): readonly string[] => n.recipients;

/**
 * One hearing after one of its events (`hearing.scheduled` (re)schedules it, `hearing.held` records it held): the
 * single definition used by the case fold and by read models that keep hearings apart (projections/scorecard).
 * Null for `hearing.held` of a hearing never scheduled; `hearing` itself for any other event.
 */
export const evolveHearing = (hearing: Hearing | null, input: CaseEventInput): Hearing | null => {
  const event = input as CaseEvent;
  if (event.type === 'hearing.scheduled') {
    const d = event.data;
    return {
      id: d.hearingId,
      at: d.at,
      scheduledBy: event.source ?? '',
      scheduledAt: event.time,
      observers: d.observers ?? [],
      held: false,
      heldAt: null,
      agencyHeadAppeared: null,
      appearance: null,
      observerAgencies: [],
    };
  }
  if (hearing === null) return null;
  if (event.type !== 'hearing.held') return hearing;
  const d = event.data;
  return {
    ...hearing,
    held: true,
    heldAt: event.time,
    agencyHeadAppeared: d.agencyHeadAppeared ?? null,
    appearance: d.appearance ?? null,
    observerAgencies: d.observerAgencies ?? [],
  };
};

/**
 * The agencies an event makes party to its case (ExistingCase.agencies), in the order evolveCase adds them: its
 * source, then whom it names (a handoff's receiver, observers, a suggestion's addressee, a notice's recipients…).
 * For read models that keep a case's agencies without its whole state (projections/attention). evolveCase adds the
 * observers of `hearing.held` only for a hearing it knows; the decider accepts no other.
 */
export const involvedAgencies = (input: CaseEventInput): (string | null | undefined)[] => {
  const event = input as CaseEvent;
  if (event.type === 'case.registered') return [event.source ?? '', event.data.defendantAgencyId, event.data.kind === 'government_dispute' ? event.data.responsibleAgencyId : undefined];
  const named: (string | null | undefined)[] = [event.source];
  switch (event.type) {
    case 'self_correction.reported':
      named.push(event.data.agencyId);
      break;
    case 'handoff.requested':
    case 'suggestion.issued':
      named.push(event.data.to);
      break;
    case 'hearing.scheduled':
      named.push(...(event.data.observers ?? []));
      break;
    case 'hearing.held':
      named.push(...(event.data.observerAgencies ?? []));
      break;
    case 'notice.issued':
      named.push(...event.data.recipients);
      break;
    case 'dispute.consulted':
      named.push(...event.data.participants);
      break;
    case 'accountability.reviewed':
      named.push(event.data.agencyId);
      break;
    case 'rectification.ordered':
      named.push(event.data.to);
      break;
    default:
      break;
  }
  return named;
};

/** `agencies` with those not yet in it appended (first-seen order, no repeats); the same array when none is new */
export const withInvolved = (agencies: readonly string[], more: readonly (string | null | undefined)[]): readonly string[] => withAgencies(agencies, ...more);

/**
 * Applies one stored event. Unknown types leave the state as it is (older code reading newer streams).
 * Parts the event does not change keep their objects, and a `handoff.*` event changes no handoff but the
 * one its `handoffId` names: the case read model (projections/cases) carries over what it derived from the
 * rest on that promise.
 */
export const evolveCase = (state: CaseState, input: CaseEventInput): CaseState => {
  const event = input as CaseEvent;
  if (event.type === 'case.registered') {
    if (state.status !== 'none') return state;
    return register(event, input.subject ?? '');
  }
  if (state.status === 'none') return state;
  const source = event.source ?? '';
  const time = event.time;
  const s = involve(state, event.source);

  switch (event.type) {
    case 'case.closed':
      return {
        ...s,
        status: 'closed',
        closedAt: time,
        closedBy: source,
        outcome: event.data.outcome,
        closeNote: event.data.note ?? null,
      };
    case 'self_correction.reported':
      return {
        ...involve(s, event.data.agencyId),
        selfCorrections: [...s.selfCorrections, { agencyId: event.data.agencyId, action: event.data.action, reportedBy: source, reportedAt: time }],
      };
    case 'handoff.requested':
      return withHandoff(involve(s, event.data.to), event.data.handoffId, evolveHandoff(null, event)!);
    case 'handoff.received':
    case 'handoff.accepted':
    case 'handoff.returned':
    case 'handoff.extended':
    case 'handoff.completed':
    case 'handoff.withdrawn': {
      const h = s.handoffs[event.data.handoffId];
      return h ? withHandoff(s, event.data.handoffId, evolveHandoff(h, event)!) : s;
    }
    case 'hearing.scheduled': {
      const next = involve(s, ...(event.data.observers ?? []));
      return { ...next, hearings: withEntry(next.hearings, event.data.hearingId, evolveHearing(null, event)!) };
    }
    case 'hearing.held': {
      const hearing = s.hearings[event.data.hearingId];
      if (!hearing) return s;
      const next = involve(s, ...(event.data.observerAgencies ?? []));
      return { ...next, hearings: withEntry(next.hearings, event.data.hearingId, evolveHearing(hearing, event)!) };
    }
    case 'judgment.issued': {
      const d = event.data;
      const judgment: Judgment = {
        id: d.judgmentId,
        outcome: d.outcome,
        effectiveAt: d.effectiveAt ?? null,
        communityCorrection: d.communityCorrection ?? false,
        issuedAt: time,
        issuedBy: source,
      };
      return { ...s, judgments: withEntry(s.judgments, d.judgmentId, judgment), judgment };
    }
    case 'judgment.effective': {
      const judgment = s.judgments[event.data.judgmentId];
      if (!judgment) return s;
      const next: Judgment = { ...judgment, effectiveAt: event.data.effectiveAt };
      return { ...s, judgments: withEntry(s.judgments, next.id, next), judgment: s.judgment?.id === next.id ? next : s.judgment };
    }
    case 'judicial_confirmation.decided':
      return { ...s, judicialConfirmation: { granted: event.data.granted, decidedAt: time, decidedBy: source } };
    case 'suggestion.issued': {
      const next = involve(s, event.data.to);
      return { ...next, suggestions: withEntry(next.suggestions, event.data.suggestionId, evolveSuggestion(null, event)!) };
    }
    case 'suggestion.served':
    case 'suggestion.received':
    case 'suggestion.replied': {
      const suggestion = s.suggestions[event.data.suggestionId];
      if (!suggestion) return s;
      return { ...s, suggestions: withEntry(s.suggestions, event.data.suggestionId, evolveSuggestion(suggestion, event)!) };
    }
    case 'reconsideration.decided': {
      const d = event.data;
      const corrective = isCorrective(d.decision);
      return {
        ...s,
        reconsideration: {
          decision: d.decision,
          decidedAt: time,
          decidedBy: source,
          corrective,
          performanceDueAt: d.performanceDueAt ?? null,
          performanceDays: d.performanceDays ?? null,
          needsPerformance: corrective || d.performanceDueAt !== undefined || d.performanceDays !== undefined,
          performedAt: null,
          performanceSummary: null,
        },
      };
    }
    case 'reconsideration.extended':
      return {
        ...s,
        reconsiderationClock: { ...s.reconsiderationClock, extensionDays: s.reconsiderationClock.extensionDays + event.data.days, extendedAt: time, extensionApprovedBy: event.data.approvedBy },
      };
    case 'reconsideration.suspended':
      if (openSuspension(s.reconsiderationClock)) return s;
      return { ...s, reconsiderationClock: { ...s.reconsiderationClock, suspensions: [...s.reconsiderationClock.suspensions, { suspendedAt: time, reason: event.data.reason, resumedAt: null }] } };
    case 'reconsideration.resumed': {
      const open = openSuspension(s.reconsiderationClock);
      if (!open) return s;
      return { ...s, reconsiderationClock: { ...s.reconsiderationClock, suspensions: [...s.reconsiderationClock.suspensions.slice(0, -1), { ...open, resumedAt: time }] } };
    }
    case 'reconsideration.performed':
      if (!s.reconsideration) return s;
      return { ...s, reconsideration: { ...s.reconsideration, performedAt: time, performanceSummary: event.data.summary } };
    case 'correction.reported':
      return { ...s, correctionReportedAt: time };
    case 'correction.absconded':
      if (openAbscondment(s)) return s;
      return { ...s, correctionAbscondments: [...(s.correctionAbscondments ?? []), { abscondedAt: time, note: event.data.note ?? null, locatedAt: null, locatedNote: null }] };
    case 'correction.located': {
      const open = openAbscondment(s);
      if (!open) return s;
      return { ...s, correctionAbscondments: [...s.correctionAbscondments.slice(0, -1), { ...open, locatedAt: time, locatedNote: event.data.note ?? null }] };
    }
    case 'dispute.consulted': {
      const next = involve(s, ...event.data.participants);
      const dispute = disputeOf(next);
      if (dispute === null) return next;
      const consultation: DisputeConsultation = { opinion: event.data.opinion, participants: event.data.participants, consultedBy: source, consultedAt: time };
      return { ...next, dispute: { ...dispute, consultations: [...dispute.consultations, consultation] } };
    }
    case 'dispute.concluded': {
      const dispute = disputeOf(s);
      if (dispute === null || dispute.conclusion !== null) return s;
      return { ...s, dispute: { ...dispute, conclusion: { outcome: event.data.outcome, lossAmount: event.data.lossAmount ?? null, concludedBy: source, concludedAt: time } } };
    }
    case 'accountability.reviewed': {
      const d = event.data;
      const review: AccountabilityReview = { agencyId: d.agencyId, finding: d.finding, measures: d.measures ?? null, reviewedBy: source, reviewedAt: time };
      return { ...involve(s, d.agencyId), accountabilityReviews: [...accountabilityReviewsOf(s), review] };
    }
    case 'rectification.ordered':
    case 'rectification.completed': {
      const rectifications = rectificationsOf(s);
      const id = event.data.rectificationId;
      const rectification = evolveRectification(rectifications[id] ?? null, event);
      if (rectification === null || rectification === rectifications[id]) return s;
      const next = event.type === 'rectification.ordered' ? involve(s, event.data.to) : s;
      return { ...next, rectifications: withEntry(rectifications, id, rectification) };
    }
    case 'notice.issued': {
      const next = involve(s, ...event.data.recipients);
      return { ...next, copyNotices: withEntry(next.copyNotices, event.data.noticeId, evolveCopyNotice(null, event)!) };
    }
    case 'notice.acknowledged': {
      const notice = s.copyNotices[event.data.noticeId];
      if (!notice) return s;
      return { ...s, copyNotices: withEntry(s.copyNotices, notice.id, evolveCopyNotice(notice, event)!) };
    }
    default:
      return s;
  }
};

/**
 * What a list shows of a case besides its clocks and history (graphql.md Case: its first fields): small read models
 * keep it (projections/attention), so a list of many cases loads no whole case state for them.
 */
export type CaseSummary = Pick<
  ExistingCase,
  'id' | 'kind' | 'title' | 'caseNumber' | 'status' | 'registeredBy' | 'registeredAt' | 'defendantAgencyId' | 'privateEnterprise' | 'major' | 'agencies'
>;

export const caseSummaryOf = (s: CaseSummary): CaseSummary => ({
  id: s.id,
  kind: s.kind,
  title: s.title,
  caseNumber: s.caseNumber,
  status: s.status,
  registeredBy: s.registeredBy,
  registeredAt: s.registeredAt,
  defendantAgencyId: s.defendantAgencyId,
  privateEnterprise: s.privateEnterprise,
  major: s.major,
  agencies: s.agencies,
});

/** The state of case `caseId` after these events (sets `id` even when the events do not carry a subject). */
export const foldCase = (caseId: string, events: Iterable<DomainEvent>): CaseState => {
  let state = initialCaseState();
  for (const event of events) state = evolveCase(state, { ...event, subject: caseId });
  return state;
};

/** Handoffs in the order they were requested. */
export const handoffsOf = (state: CaseState): Handoff[] => (state.status === 'none' ? [] : inRequestOrder(state.handoffs));

/** A case's handoffs (or their links) in the order they were requested; one requested at the same time keeps its place. */
export const inRequestOrder = <H extends Pick<Handoff, 'requestedAt'>>(handoffs: Readonly<Record<string, H>>): H[] =>
  Object.values(handoffs).sort((a, b) => Date.parse(a.requestedAt) - Date.parse(b.requestedAt));

// ---------------------------------------------------------------------------------------------
// Legal disputes of state organs and state enterprises, 责任倒查 and 整改 (revision 2)

/** A government_dispute's 备案 facts (null for another kind, and for a case read model stored before revision 2 — see below). */
export const disputeOf = (s: Pick<CaseFile, 'kind' | 'registeredBy'> & Pick<Partial<CaseFile>, 'dispute'>): GovernmentDispute | null => {
  if (s.dispute !== undefined) return s.dispute;
  // a case read model stored before revision 2 has no dispute yet: it was registered under revision 1, naming none
  return s.kind === 'government_dispute' ? { responsibleAgencyId: s.registeredBy, handlingUnit: null, amount: null, arisenAt: null, consultations: [], conclusion: null } : null;
};
export const rectificationsOf = (s: Pick<Partial<CaseFile>, 'rectifications'>): Readonly<Record<string, Rectification>> => s.rectifications ?? {};
export const accountabilityReviewsOf = (s: Pick<Partial<CaseFile>, 'accountabilityReviews'>): readonly AccountabilityReview[] => s.accountabilityReviews ?? [];

/** The case event types that change a rectification (the one their `rectificationId` names). */
export const RECTIFICATION_EVENT_TYPES = ['rectification.ordered', 'rectification.completed'] as const satisfies readonly CaseEventType[];

/**
 * One rectification (整改) after one of its events: the single definition, used by the case fold and by the read
 * models that keep one document per rectification (projections/clocks, the dispute scorecard). Null for a completion
 * of a rectification that does not exist; `rectification` itself for an event that does not change it.
 */
export const evolveRectification = (rectification: Rectification | null, input: CaseEventInput): Rectification | null => {
  const event = input as CaseEvent;
  if (event.type === 'rectification.ordered') {
    if (rectification !== null) return rectification;
    const d = event.data;
    return { id: d.rectificationId, from: event.source ?? '', to: d.to, summary: d.summary, dueDate: d.dueDate, orderedAt: event.time, completedAt: null, completionSummary: null };
  }
  if (rectification === null) return null;
  if (event.type === 'rectification.completed' && event.data.rectificationId === rectification.id && rectification.completedAt === null) {
    return { ...rectification, completedAt: event.time, completionSummary: event.data.summary };
  }
  return rectification;
};

/** Who may see a rectification besides organizers and auditors: who ordered it and who must carry it out. */
export const rectificationParties = (r: Pick<Rectification, 'from' | 'to'>): readonly string[] => (r.from === r.to ? [r.from] : [r.from, r.to]);
