import type { Projection } from './projection.js';
import { casesProjection, type CaseProjectionContext } from './cases/cases.projection.js';
import { meetingsProjection } from './meetings/meetings.projection.js';
import { handoffBoardProjection } from './handoffBoard/handoffBoard.projection.js';
import { scorecardProjection } from './scorecard/scorecard.projection.js';
import { suggestionsProjection } from './suggestions/suggestions.projection.js';
import { copyNoticesProjection } from './copyNotices/copyNotices.projection.js';
import { clocksProjection } from './clocks/clocks.projection.js';
import { attentionProjection } from './attention/attention.projection.js';
import { meetingCalendarProjection } from './meetings/meetingCalendar.projection.js';
import { disputeScorecardProjection } from './scorecard/disputeScorecard.projection.js';
import { caseSearchProjection } from './caseSearch/caseSearch.projection.js';

export type ReadModelContext = CaseProjectionContext;

/** Every read model of the platform, in one list for the runner, replay and tests. */
export const allProjections = (): Projection<ReadModelContext>[] => [
  casesProjection,
  meetingsProjection as Projection<ReadModelContext>,
  handoffBoardProjection,
  scorecardProjection,
  suggestionsProjection,
  copyNoticesProjection,
  clocksProjection,
  attentionProjection,
  meetingCalendarProjection as Projection<ReadModelContext>,
  disputeScorecardProjection,
  caseSearchProjection as Projection<ReadModelContext>, // search (issue 17): feeds the search index (feedCaseSearch.ts)
];
export const READ_MODEL_COLLECTIONS = allProjections().flatMap((p) => p.collections);
