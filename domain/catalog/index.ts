/** What the ingest pipeline, the gateway and the projections need from the domain's published-event side. */
export { CATALOG, CATALOG_TYPES, isCatalogType, type CatalogEntry } from './catalog.js';
export { DATA_SCHEMAS, HANDOFF_EXTENDED_V1_SCHEMA, ENVELOPE_SCHEMA, DATE_PATTERN, TIME_PATTERN, type CatalogType, type JsonSchema } from './schemas.js';
export { currentVersion, dataSchemaOf, versionsOf, upcast, upcastStored, dataschemaOf, parseDataschema, dataschemaProblem, publishedVersion, storedVersion, type VersionCheck } from './versions.js';
export { routeOf, toCommand, meetingIdOfActionId, type PublishedFact, type Route } from './facts.js';
export type { DecisionContext } from './context.js';
export { describeEvent, chinaDateTime, AGENDA_REASON_NAMES } from './describe.js';
export { isRfc3339, schemaProblem } from './values.js';
export * from './vocabulary.js';

export { caseDecider, decideCase, noticeIdFor, caseIdOfNotice, copyNoticeRecipients, FACT_TYPE_OF_COMMAND, COMMAND_OF_FACT_TYPE } from '../cases/decide.js';
export type * from '../cases/decide.js';
export { evolveCase, evolveHandoff, withoutRequestPapers, evolveHearing, caseSummaryOf, involvedAgencies, withInvolved, handoffParties, HANDOFF_EVENT_TYPES, foldCase, initialCaseState, handoffsOf, inRequestOrder, handoffLink, evolveHandoffLink, linkedCase, type HandoffLink, type LinkedCase, CASE_EVENT_TYPES, PLATFORM_CASE_EVENT_TYPES } from '../cases/case.js';
export { openAbscondment } from '../cases/case.js';
export { evolveSuggestion, suggestionParties, SUGGESTION_EVENT_TYPES, evolveCopyNotice, copyNoticeParties, COPY_NOTICE_EVENT_TYPES, suggestionClockStart, upcastRevision1SuggestionIssued } from '../cases/case.js';
export type * from '../cases/case.js';
export { suggestionReplyDeadline, noticeAckDeadlines, performanceDueDate, reconsiderationDecisionDeadline } from '../cases/deadlines.js';
export { caseDeadlines, handoffDeadline, handoffClockStart, handoffClockRunning, handoffOverdue, handoffEnded, suggestionReplyDue, metTiming, type CaseDeadline, type HandoffDeadline, type DeadlineDeps } from '../cases/deadlines.js';

export { meetingDecider, decideMeeting } from '../meetings/decide.js';
export type * from '../meetings/decide.js';
export { evolveMeeting, evolveActionItem, meetingParties, initialMeetingState, actionIdFor, meetingIdOfAction, MEETING_EVENT_TYPES } from '../meetings/meeting.js';
export type * from '../meetings/meeting.js';
export * from '../meetings/attention.js';
export { evolveCorrectionFacts, correctionFactsOfCase, correctionClockStart, offenderReportDue, correctionAgency, correctionUnreported, correctionAbsconded, noCorrectionFacts, CORRECTION_FACT_TYPES, type CorrectionFacts } from '../cases/correction.js';

// legal disputes of state organs, 责任倒查 and 整改 (revision 2)
export { disputeOf, rectificationsOf, accountabilityReviewsOf, evolveRectification, rectificationParties, RECTIFICATION_EVENT_TYPES } from '../cases/case.js';
export { rectificationDeadline, disputeFiling } from '../cases/deadlines.js';
