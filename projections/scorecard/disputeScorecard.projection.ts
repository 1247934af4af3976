import {
  disputeFiling,
  disputeOf,
  evolveCase,
  evolveRectification,
  isLostDispute,
  RECTIFICATION_EVENT_TYPES,
  type CaseEventInput,
  type DeadlineDeps,
  type DisputeOutcome,
  type Rectification,
} from '../../domain/catalog/index.js';
import { chinaDate, quarterOf, type IsoDate } from '../../domain/deadlines/index.js';
import type { IndexBounds } from '../../ports/readModelStore.js';
import type { RecordedEvent } from '../../ports/eventStore.js';
import type { Projection } from '../projection.js';

/**
 * The revision-2 scorecard columns of legal disputes of state organs and their rectifications (graphql.md
 * AgencyScorecard: disputesRegistered, disputesRegisteredLate, disputesLost, disputeLossAmount, rectificationsOrdered,
 * rectificationsOverdue). Kept apart from projections/scorecard (same shape: one small document per counted thing, one
 * ordered range-only index under `<agency>|<quarter>|<column>|…`), so each read model rebuilds on its own.
 *
 * Documents (collection `scorecardDisputes`):
 * - `d:<caseId>` — a government_dispute: its 主管单位 (the row), registration (counted in its quarter, late or on time
 *   against the 备案 period from `arisenAt`) and conclusion (counted in the quarter of the conclusion when lost);
 * - `r:<caseId>/<rectificationId>` — a rectification, counted for its addressee in the quarter of the order.
 */
export const DISPUTE_SCORECARD = 'scorecardDisputes';
export const DISPUTE_ROW_INDEX = 'row';

export interface DisputeScorecardContext {
  deadlines: DeadlineDeps;
}

/**
 * Columns within `<agency>|<quarter>|`:
 * - `dr|0|` / `dr|1|`: a dispute registered in the quarter for which the agency is responsible; 1 = registered after
 *   the 备案 period (late). A revision-1 dispute without `arisenAt` counts as registered, not late (`dr|0|`).
 * - `dl|<lossAmount>`: a dispute concluded lost or partially lost in the quarter; the value carries its loss amount
 *   (yuan, empty when none was reported), summed when read.
 * - `ro|<dueDate>|` while the rectification runs, `ro|~` once completed (`~` sorts above every date): rectifications
 *   addressed to the agency, ordered in the quarter; overdue now = the running ones due before today.
 */
export const DisputeColumn = {
  registered: 'dr',
  registeredLate: 'dr|1',
  lost: 'dl',
  rectification: 'ro',
} as const;
export const RECTIFICATION_DONE = '~';

const enc = encodeURIComponent;
const TOP = '\u{10ffff}';
export const rowPrefix = (agency: string, quarter: string): string => `${enc(agency)}|${quarter}|`;
const entry = (agency: string, time: string, rest: string): string => `${rowPrefix(agency, quarterOf(chinaDate(time)))}${rest}`;

export interface DisputeScorecardDoc {
  caseId: string;
  /** 主管单位: the row it counts for */
  responsible: string;
  registeredAt: string;
  /** registered after the 备案 period; null when the dispute names no arisenAt */
  filedLate: boolean | null;
  conclusion: { outcome: DisputeOutcome; concludedAt: string; lossAmount: number | null } | null;
}

export interface RectificationScorecardDoc {
  caseId: string;
  rectification: Rectification;
}

export const disputeDocId = (caseId: string): string => `d:${enc(caseId)}`;
export const rectificationDocId = (caseId: string, rectificationId: string): string => `r:${enc(caseId)}/${enc(rectificationId)}`;

export const disputeEntries = (doc: DisputeScorecardDoc): string[] => {
  const out = [entry(doc.responsible, doc.registeredAt, `${DisputeColumn.registered}|${doc.filedLate === true ? '1' : '0'}|`)];
  const c = doc.conclusion;
  if (c !== null && isLostDispute(c.outcome)) out.push(entry(doc.responsible, c.concludedAt, `${DisputeColumn.lost}|${c.lossAmount ?? ''}`));
  return out;
};

export const rectificationEntries = (doc: RectificationScorecardDoc): string[] => {
  const r = doc.rectification;
  // the `|` after a date puts it above the bare date, so the range up to `ro|<today>` holds the dates before today
  return [entry(r.to, r.orderedAt, `${DisputeColumn.rectification}|${r.completedAt === null ? `${r.dueDate}|` : RECTIFICATION_DONE}`)];
};

const DISPUTE_TYPES: readonly string[] = ['case.registered', 'dispute.concluded'];
const RECTIFICATION_TYPES: readonly string[] = RECTIFICATION_EVENT_TYPES;

const caseIdOf = (event: RecordedEvent): string => event.streamId.slice('case-'.length);
const inputOf = (event: RecordedEvent): CaseEventInput => ({ type: event.type, data: event.data, time: event.metadata.time, source: event.metadata.source, subject: caseIdOf(event) });

function evolveDisputeDoc(before: DisputeScorecardDoc | null, event: RecordedEvent, deps: DeadlineDeps): DisputeScorecardDoc | null {
  if (event.type === 'case.registered') {
    if (before !== null) return before;
    // the registration as the case fold reads it (evolveCase, disputeOf): a case of another kind counts for no one
    const registered = evolveCase({ status: 'none' }, inputOf(event));
    const dispute = registered.status === 'none' ? null : disputeOf(registered);
    if (registered.status === 'none' || dispute === null) return null;
    const filing = disputeFiling(dispute, registered.registeredAt, deps);
    return { caseId: registered.id, responsible: dispute.responsibleAgencyId, registeredAt: registered.registeredAt, filedLate: filing?.late ?? null, conclusion: null };
  }
  if (before === null || before.conclusion !== null) return before;
  const data = event.data as { outcome: DisputeOutcome; lossAmount?: number };
  return { ...before, conclusion: { outcome: data.outcome, concludedAt: event.metadata.time, lossAmount: data.lossAmount ?? null } };
}

export const disputeScorecardProjection: Projection<DisputeScorecardContext> = {
  name: 'disputeScorecard',
  canHandle: [...DISPUTE_TYPES, ...RECTIFICATION_TYPES],
  collections: [DISPUTE_SCORECARD],
  rangeIndexes: [DISPUTE_ROW_INDEX],
  keys(event) {
    if (!event.streamId.startsWith('case-')) return [];
    const caseId = caseIdOf(event);
    if (DISPUTE_TYPES.includes(event.type)) {
      // only a government_dispute registration makes a document: other registrations touch nothing
      if (event.type === 'case.registered' && (event.data as { kind?: unknown }).kind !== 'government_dispute') return [];
      return [[DISPUTE_SCORECARD, disputeDocId(caseId)]];
    }
    const id = (event.data as { rectificationId?: unknown }).rectificationId;
    return typeof id === 'string' ? [[DISPUTE_SCORECARD, rectificationDocId(caseId, id)]] : [];
  },
  evolve(doc, event, ctx) {
    if (DISPUTE_TYPES.includes(event.type)) {
      const before = doc as DisputeScorecardDoc | null;
      const next = evolveDisputeDoc(before, event, ctx.deadlines);
      if (next === before) return { doc: before };
      return next === null ? { doc: null } : { doc: next, indexes: { [DISPUTE_ROW_INDEX]: disputeEntries(next) } };
    }
    const before = doc as RectificationScorecardDoc | null;
    const rectification = evolveRectification(before?.rectification ?? null, inputOf(event));
    if (rectification === null || rectification === before?.rectification) return { doc: before };
    const next: RectificationScorecardDoc = { caseId: caseIdOf(event), rectification };
    return { doc: next, indexes: { [DISPUTE_ROW_INDEX]: rectificationEntries(next) } };
  },
};

// ---------------------------------------------------------------------------------------------
// Reading a row

export const prefixRange = (prefix: string): IndexBounds => ({ from: prefix, to: prefix + TOP });

/** The count ranges of one agency's row; only rectificationsOverdue depends on today. */
export function disputeScorecardBounds(agency: string, quarter: string, today: IsoDate) {
  const row = rowPrefix(agency, quarter);
  return {
    disputesRegistered: prefixRange(`${row}${DisputeColumn.registered}|`),
    disputesRegisteredLate: prefixRange(`${row}${DisputeColumn.registeredLate}|`),
    disputesLost: prefixRange(`${row}${DisputeColumn.lost}|`),
    rectificationsOrdered: prefixRange(`${row}${DisputeColumn.rectification}|`),
    // running ones due before today: `ro|<today>` lies above every earlier date and below today and `~`
    rectificationsOverdue: { from: `${row}${DisputeColumn.rectification}|`, to: `${row}${DisputeColumn.rectification}|${today}` },
  } satisfies Record<string, IndexBounds>;
}
export type DisputeScorecardCounts = Record<keyof ReturnType<typeof disputeScorecardBounds>, number>;
