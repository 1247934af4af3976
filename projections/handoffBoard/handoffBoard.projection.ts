import {
  evolveHandoff,
  handoffClockRunning,
  handoffDeadline,
  handoffEnded,
  handoffParties,
  HANDOFF_EVENT_TYPES,
  type Handoff,
  type HandoffDeadline,
  type HandoffStatus,
} from '../../domain/catalog/index.js';
import type { IsoDate } from '../../domain/deadlines/index.js';
import type { DeadlineDeps } from '../../domain/cases/deadlines.js';
import type { RecordedEvent } from '../../ports/eventStore.js';
import type { IndexBounds } from '../../ports/readModelStore.js';
import type { Projection } from '../projection.js';

/**
 * The handoff board (graphql.md `handoffs`): one small document per handoff, folded from that handoff's own
 * events (domain/cases/case.ts evolveHandoff, the same definition the case fold uses), with its clock
 * (handoffDeadline) and the agencies that may see it. The board's filters and its order are one ordered index,
 * so a page of the board is a few range reads and its count a few range counts: nothing is folded, and nothing
 * is scanned but the handoffs of one agency when a purpose is combined with an agency (see `boardPlan`).
 */
export const HANDOFF_BOARD = 'handoffBoard';

export interface HandoffBoardDoc {
  caseId: string;
  handoff: Handoff;
  /** null while its clock has not started */
  deadline: HandoffDeadline | null;
  /** the agencies that may see it besides organizers and auditors (handoffParties) */
  visibleTo: readonly string[];
}

export interface HandoffBoardContext {
  deadlines: DeadlineDeps;
}

/** the one index of the board's documents */
export const BOARD_INDEX = 'board';

/**
 * Where a handoff sits on the board, as long as no date passes: its lane and its place within the lane.
 * - `R<status>`: its clock runs — overdue on the days after its due date (the only thing "today" decides);
 * - `N<status>`: open, clock not started or already stopped (received, for a receipt clock);
 * - `E<status>`: ended (completed, returned, withdrawn).
 * The status in the lane answers the `status` filter. Within a lane: due date (undated last), request time
 * (UTC, fixed width), then `caseId/handoffId` — the board's order and its cursor's key.
 */
export type Lane = `${'R' | 'N' | 'E'}${HandoffStatus}`;

export const UNDATED: IsoDate = '9999-99-99';

/** the part of an entry's value after `<scope>|<lane>|`: `due|requestedAt|caseId/handoffId`, ordered as the board orders */
export const boardKey = (doc: HandoffBoardDoc): string =>
  `${doc.deadline?.dueDate ?? UNDATED}|${new Date(doc.handoff.requestedAt).toISOString()}|${doc.caseId}/${doc.handoff.id}`;

export const laneOf = (doc: HandoffBoardDoc): Lane =>
  `${handoffEnded(doc.handoff) ? 'E' : handoffClockRunning(doc.deadline) ? 'R' : 'N'}${doc.handoff.status}`;

/**
 * Scopes: each handoff is filed once under every scope that contains it, so that the set a query asks for is one
 * scope. Agency ids and purposes are URI-encoded, so no `|` or `>` of theirs can move a range.
 */
const enc = encodeURIComponent;
export const BoardScope = {
  all: '*',
  to: (agency: string) => `t:${enc(agency)}`,
  from: (agency: string) => `f:${enc(agency)}`,
  fromTo: (from: string, to: string) => `ft:${enc(from)}>${enc(to)}`,
  purpose: (purpose: string) => `p:${enc(purpose)}`,
};

/**
 * A viewer's own board has no scope of its own: what an agency may see is what was sent to it or by it
 * (handoffParties), the union of its `t:` and `f:` scopes, read side by side (boardPlan). A scope of its own
 * repeated both for every handoff: two of seven entries, each moved at every change of lane.
 */
export const boardEntries = (doc: HandoffBoardDoc): string[] => {
  const { from, to, purpose } = doc.handoff;
  const scopes = [BoardScope.all, BoardScope.to(to), BoardScope.from(from), BoardScope.fromTo(from, to), BoardScope.purpose(purpose)];
  const tail = `|${laneOf(doc)}|${boardKey(doc)}`;
  return scopes.map((scope) => scope + tail);
};

/** the document id of a handoff: case and handoff ids may hold any character, so they are encoded */
export const boardDocId = (caseId: string, handoffId: string): string => `${enc(caseId)}/${enc(handoffId)}`;

/** the case of a board document, from its id (boardDocId) */
export const caseIdOfBoardDoc = (docId: string): string => decodeURIComponent(docId.slice(0, docId.indexOf('/')));

const caseIdOf = (event: RecordedEvent): string => event.streamId.slice('case-'.length);

export const handoffBoardProjection: Projection<HandoffBoardContext> = {
  name: 'handoffBoard',
  // 2: no viewer scopes (boardEntries)
  revision: 2,
  canHandle: HANDOFF_EVENT_TYPES,
  collections: [HANDOFF_BOARD],
  // read only by range (boardPlan / boardSegments): no per-value set in Redis for values that are all unique
  rangeIndexes: [BOARD_INDEX],
  // the board's totalCount is the sum of its lanes' counts, and the ended lanes hold every handoff the city ever had
  countedGroups: { [BOARD_INDEX]: { separator: '|', fields: 2 } },
  keys(event) {
    const handoffId = (event.data as { handoffId?: unknown }).handoffId;
    if (!event.streamId.startsWith('case-') || typeof handoffId !== 'string') return [];
    return [[HANDOFF_BOARD, boardDocId(caseIdOf(event), handoffId)]];
  },
  evolve(doc, event, ctx) {
    const before = doc as HandoffBoardDoc | null;
    const handoff = evolveHandoff(before?.handoff ?? null, {
      type: event.type,
      data: event.data,
      time: event.metadata.time,
      source: event.metadata.source,
    });
    if (handoff === null || handoff === before?.handoff) return { doc: before };
    const next: HandoffBoardDoc = { caseId: caseIdOf(event), handoff, deadline: handoffDeadline(handoff, ctx.deadlines), visibleTo: handoffParties(handoff) };
    return { doc: next, indexes: { [BOARD_INDEX]: boardEntries(next) } };
  },
};

// ---------------------------------------------------------------------------------------------
// Reading the board: which scope answers a question, and which ranges of it make each part of the board's order.

export interface BoardQuestion {
  /** null: sees every handoff (organizer, auditor); otherwise the viewer's agency */
  viewer: string | null;
  toAgency?: string | null;
  fromAgency?: string | null;
  status?: string | null;
  overdue?: boolean | null;
  purpose?: string | null;
}

export interface BoardPlan {
  /** the scopes whose union holds every handoff the question may match: two for a viewer's own board */
  scopes: readonly string[];
  /** the handoffs held by every one of `scopes` (from the viewer to itself), to be counted once */
  overlap?: string;
  /** what the scopes do not answer, checked on each candidate document; absent: the scopes are exact */
  residual?: (doc: HandoffBoardDoc) => boolean;
}

/**
 * The scopes holding every handoff the question may match (null: none can). A viewer's scopes hold only what it
 * may see: its own `t:` and `f:` scopes together, or a filter that names its own agency (it is a party to every
 * handoff to or from it), or the pair index — a handoff to another agency is seen only by the agency that sent it
 * (handoffParties).
 */
export function boardPlan(q: BoardQuestion): BoardPlan | null {
  const to = q.toAgency || null;
  const from = q.fromAgency || null;
  const purpose = q.purpose || null;
  const v = q.viewer;
  let plan: BoardPlan;
  if (to !== null && from !== null) {
    if (v !== null && !handoffParties({ from, to }).includes(v)) return null;
    plan = { scopes: [BoardScope.fromTo(from, to)] };
  } else if (to !== null) {
    plan = { scopes: [v === null || v === to ? BoardScope.to(to) : BoardScope.fromTo(v, to)] };
  } else if (from !== null) {
    plan = { scopes: [v === null || v === from ? BoardScope.from(from) : BoardScope.fromTo(from, v)] };
  } else if (v !== null) {
    plan = { scopes: [BoardScope.to(v), BoardScope.from(v)], overlap: BoardScope.fromTo(v, v) };
  } else {
    return { scopes: [purpose === null ? BoardScope.all : BoardScope.purpose(purpose)] };
  }
  return purpose === null ? plan : { ...plan, residual: (doc) => doc.handoff.purpose === purpose };
}

const OPEN: readonly HandoffStatus[] = ['REQUESTED', 'RECEIVED', 'ACCEPTED'];
const ENDED: readonly HandoffStatus[] = ['RETURNED', 'COMPLETED', 'WITHDRAWN'];
const TOP = '\u{10ffff}';

/** one lane's range within a scope; `prefix` is `<scope>|<lane>|`, followed in every value by the board key */
export interface LaneRange extends IndexBounds {
  prefix: string;
  from: string;
  to: string;
}

/** a part of the board's order: rank 0 overdue, 1 the other open handoffs, 2 the ended ones; its lanes interleave by board key */
export interface BoardSegment {
  rank: 0 | 1 | 2;
  lanes: LaneRange[];
}

/** The board's segments for a question, in order, each with its lanes in every scope: today only decides where the running lanes are cut. */
export function boardSegments(scopes: readonly string[], q: Pick<BoardQuestion, 'status' | 'overdue'>, today: IsoDate): BoardSegment[] {
  const wanted = (statuses: readonly HandoffStatus[]) => (q.status ? statuses.filter((s) => s === q.status) : statuses);
  const lanes = (statuses: readonly HandoffStatus[], kind: 'R' | 'N' | 'E', from = '', to = TOP): LaneRange[] =>
    scopes.flatMap((scope) =>
      statuses.map((status) => {
        const prefix = `${scope}|${kind}${status}|`;
        return { prefix, from: prefix + from, to: prefix + to };
      }),
    );
  const open = wanted(OPEN);
  const segments: BoardSegment[] = [
    // due before today: `<prefix><today>` is above every value of an earlier due date and below those due today
    { rank: 0, lanes: lanes(open, 'R', '', today) },
    { rank: 1, lanes: [...lanes(open, 'R', today), ...lanes(open, 'N')] },
    { rank: 2, lanes: lanes(wanted(ENDED), 'E') },
  ];
  if (q.overdue === true) return segments.slice(0, 1);
  if (q.overdue === false) return segments.slice(1);
  return segments;
}
