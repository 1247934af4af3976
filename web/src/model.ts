/** The shapes of graphql.md the console reads, and the documents it sends. */
export interface Agency {
  id: string;
  kind: 'COURT' | 'PROCURATORATE' | 'POLICE' | 'JUSTICE' | 'GOVERNMENT';
  name: string;
  /** revision 2: city | district | township (asked for where a page needs it) */
  level?: 'city' | 'district' | 'township';
  parent?: { id: string; name: string } | null;
}
export interface Viewer {
  name: string;
  roles: string[];
  agency: Agency;
}
export interface Handoff {
  id: string;
  caseId: string;
  case: { title: string } | null;
  from: Agency;
  to: Agency;
  purpose: string;
  status: string;
  requestedAt: string;
  completedAt: string | null;
  outcome: string | null;
  returnReason: string | null;
  dueDate: string | null;
  dueDateProvisional: boolean;
  overdue: boolean;
}
export interface TimelineEntry {
  position: string;
  type: string;
  agency: Agency | null;
  time: string;
  recordedAt: string;
  summary: string;
}
export interface Deadline {
  name: string;
  /** null while suspended (中止) */
  dueDate: string | null;
  dueDateProvisional: boolean;
  overdue: boolean;
  metAt: string | null;
  suspended: boolean;
}
export interface CaseDetail {
  id: string;
  kind: string;
  title: string;
  caseNumber: string | null;
  status: string;
  registeredBy: Agency;
  registeredAt: string;
  defendantAgency: Agency | null;
  privateEnterprise: boolean;
  major: boolean;
  agencies: Agency[];
  handoffs: Handoff[];
  deadlines: Deadline[];
  judgmentOutcome: string | null;
  reconsiderationDecision: string | null;
  timeline: TimelineEntry[];
}
export interface ActionItem {
  id: string;
  meetingId: string;
  caseId: string | null;
  text: string;
  owner: Agency;
  dueDate: string;
  completedAt: string | null;
  overdue: boolean;
}
export interface Meeting {
  id: string;
  title: string;
  scheduledAt: string;
  status: 'SCHEDULED' | 'HELD' | 'CANCELLED';
  organizer: Agency;
  participants: Agency[];
  attendees: Agency[];
  agenda: { case: { id: string; title: string; caseNumber: string | null; timeline: TimelineEntry[] }; reason: string; resolution: string | null }[];
  actionItems: ActionItem[];
  carriedOver: ActionItem[];
  attention: { case: { id: string; title: string; caseNumber: string | null }; reason: string; detail: string }[];
}
export interface Scorecard {
  agency: Agency;
  quarter: string;
  litigationConcluded: number;
  litigationLost: number;
  lossRate: number | null;
  hearingsHeld: number;
  headAppearances: number;
  headAppearanceRate: number | null;
  reconsiderationsDecided: number;
  reconsiderationsCorrected: number;
  correctionRate: number | null;
  suggestionsReceived: number;
  suggestionsRepliedOnTime: number;
  handoffsReceived: number;
  handoffsCompletedOnTime: number;
  handoffsOverdue: number;
  // revision 2 (graphql.md AgencyScorecard): Int! columns are 0, nullable ones null, where they do not apply
  casesHeard: number;
  casesWithHeadAppearance: number;
  headAppearanceCaseRate: number | null;
  selfCorrections: number;
  correctionsUnreported: number | null;
  correctionsAbsconded: number | null;
  preLitigationMediations: number | null;
  mediationsSucceeded: number | null;
  mediationSuccessRate: number | null;
  diversionRate: number | null;
  filingsPer10k: number | null;
  // revision 2: legal disputes of state organs and rectifications (optional: a query may not ask for them)
  disputesRegistered?: number;
  disputesRegisteredLate?: number;
  disputesLost?: number;
  disputeLossAmount?: number | null;
  rectificationsOrdered?: number;
  rectificationsOverdue?: number;
}

/** revision 2: a case's legal-dispute facts (GraphQL Case.dispute, accountabilityReviews, rectifications) */
export interface GovernmentDispute {
  responsibleAgency: Agency;
  handlingUnit: string | null;
  amount: number | null;
  arisenAt: string | null;
  filingDueDate: string | null;
  filedLate: boolean | null;
  consultations: { opinion: string; participants: Agency[]; consultedBy: Agency; consultedAt: string }[];
  outcome: string | null;
  lossAmount: number | null;
  concludedAt: string | null;
}
export interface AccountabilityReview {
  agency: Agency;
  finding: string;
  measures: string | null;
  reviewedBy: Agency;
  reviewedAt: string;
}
export interface Rectification {
  id: string;
  caseId: string;
  from: Agency;
  to: Agency;
  summary: string;
  dueDate: string;
  orderedAt: string;
  completedAt: string | null;
  completionSummary: string | null;
  overdue: boolean;
}

export interface Connection<T> {
  totalCount: number;
  nodes: T[];
  pageInfo: { endCursor: string | null; hasNextPage: boolean };
}

export const isReader = (v: Viewer) => v.roles.some((r) => r === 'viewer' || r === 'organizer' || r === 'auditor');
export const isOrganizer = (v: Viewer) => v.roles.includes('organizer');
export const isAuditor = (v: Viewer) => v.roles.includes('auditor');
export const isPublisher = (v: Viewer) => v.roles.includes('publisher');
/** organizers and auditors see every agency; a viewer only its own (graphql.md "Access") */
export const seesAll = (v: Viewer) => isOrganizer(v) || isAuditor(v);

export const AGENCY = 'id kind name';
/**
 * Handoff purposes whose clock is a statutory 办案期限 (刑事诉讼法 Art. 172, 175, 208; 移送涉嫌犯罪案件的规定 Art. 8): the
 * law calls passing it 超期, not 逾期 (domain/deadlines/clocks.ts HANDOFF_PURPOSES lists every purpose).
 */
export const CASE_HANDLING_PERIODS: ReadonlySet<string> = new Set(['prosecution_review', 'supplementary_investigation', 'public_prosecution', 'criminal_transfer']);

export const HANDOFF = `id caseId case { title } from { ${AGENCY} } to { ${AGENCY} } purpose status requestedAt completedAt outcome returnReason dueDate dueDateProvisional overdue`;
export const TIMELINE = `position type agency { ${AGENCY} } time recordedAt summary`;
export const ACTION_ITEM = `id meetingId caseId text owner { ${AGENCY} } dueDate completedAt overdue`;
export const CASE_DETAIL = `id kind title caseNumber status registeredBy { ${AGENCY} } registeredAt defendantAgency { ${AGENCY} }
  privateEnterprise major agencies { ${AGENCY} } handoffs { ${HANDOFF} }
  deadlines { name dueDate dueDateProvisional overdue metAt suspended } judgmentOutcome reconsiderationDecision timeline { ${TIMELINE} }`;
export const MEETING = `id title scheduledAt status organizer { ${AGENCY} } participants { ${AGENCY} } attendees { ${AGENCY} }
  agenda { case { id title caseNumber timeline { ${TIMELINE} } } reason resolution }
  actionItems { ${ACTION_ITEM} } carriedOver { ${ACTION_ITEM} }
  attention { case { id title caseNumber } reason detail }`;
export const SCORECARD = `agency { ${AGENCY} } quarter litigationConcluded litigationLost lossRate hearingsHeld headAppearances headAppearanceRate
  reconsiderationsDecided reconsiderationsCorrected correctionRate suggestionsReceived suggestionsRepliedOnTime
  handoffsReceived handoffsCompletedOnTime handoffsOverdue
  casesHeard casesWithHeadAppearance headAppearanceCaseRate selfCorrections correctionsUnreported correctionsAbsconded
  preLitigationMediations mediationsSucceeded mediationSuccessRate diversionRate filingsPer10k`;

// revision 2: legal disputes of state organs (fragments for GraphQL Case.dispute, accountabilityReviews, rectifications)
export const DISPUTE = `responsibleAgency { ${AGENCY} } handlingUnit amount arisenAt filingDueDate filedLate
  consultations { opinion participants { ${AGENCY} } consultedBy { ${AGENCY} } consultedAt } outcome lossAmount concludedAt`;
export const ACCOUNTABILITY_REVIEW = `agency { ${AGENCY} } finding measures reviewedBy { ${AGENCY} } reviewedAt`;
export const RECTIFICATION = `id caseId from { ${AGENCY} } to { ${AGENCY} } summary dueDate orderedAt completedAt completionSummary overdue`;
export const SCORECARD_DISPUTE_COLUMNS = 'disputesRegistered disputesRegisteredLate disputesLost disputeLossAmount rectificationsOrdered rectificationsOverdue';
