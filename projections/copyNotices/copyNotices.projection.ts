import { copyNoticeParties, evolveCopyNotice, noticeAckDeadlines, COPY_NOTICE_EVENT_TYPES, type CaseDeadline, type CopyNotice } from '../../domain/catalog/index.js';
import type { DeadlineDeps } from '../../domain/cases/deadlines.js';
import type { RecordedEvent } from '../../ports/eventStore.js';
import type { Projection } from '../projection.js';
import { issuedKey, scopeRange, TAIL } from '../issuedOrder.js';

/**
 * The copy notices list (graphql.md `copyNotices`, 同步抄告): one small document per notice, folded from that
 * notice's own events (domain/cases/case.ts evolveCopyNotice, the definition the case fold uses), with its
 * acknowledgement clocks (noticeAckDeadlines, the clocks caseDeadlines lists as `notice_ack:<noticeId>:<agency>`)
 * and the agencies that may see it. One ordered index answers every question: each scope a question can ask for
 * is a range whose entries are in the answer's order, and the `acknowledged` filter is read from the entry.
 */
export const COPY_NOTICES = 'copyNotices';

export interface CopyNoticeDoc {
  caseId: string;
  notice: CopyNotice;
  /** one acknowledgement clock per recipient, in the order of the recipients */
  deadlines: CaseDeadline[];
  /** the agencies that may see it besides organizers and auditors (copyNoticeParties: its recipients) */
  visibleTo: readonly string[];
}

export interface CopyNoticesContext {
  deadlines: DeadlineDeps;
}

/** the one index of the notices' documents */
export const NOTICE_INDEX = 'issued';

const enc = encodeURIComponent;
/**
 * Scopes: each notice is filed once under every scope that holds it. A viewer sees the notices addressed to it, so
 * its scope is its recipient scope; a viewer asking about another recipient asks for the notices addressed to both
 * — the pair scope, filed for every ordered pair of its recipients (a notice has a handful).
 */
export const NoticeScope = {
  all: '*',
  recipient: (agency: string) => `r:${enc(agency)}`,
  /** addressed to `viewer` and to `agency` (two different agencies) */
  pair: (viewer: string, agency: string) => `rr:${enc(viewer)}>${enc(agency)}`,
};

/** the document id of a notice: its case (as `acknowledgeNotice` finds it: caseIdOfNotice) and its id */
export const noticeDocId = (caseId: string, noticeId: string): string => `${enc(caseId)}/${enc(noticeId)}`;

const flag = (yes: boolean): string => (yes ? '1' : '0');
const acknowledgedBy = (notice: CopyNotice, agency: string): boolean => notice.acknowledgements[agency] !== undefined;

/**
 * `<scope>|<issuedAt, UTC>|<document id> <all recipients acknowledged><the scope's agency acknowledged>`. Up to
 * the tail, a scope's entries are in the list's order (issued first, then by id). The tail answers `acknowledged`:
 * its first flag without an agency (have all recipients), its second with one (has the agency the scope names
 * last; `-` in the scope of all notices, which names none). An acknowledgement is an event of the notice, so the
 * entries are filed again when it changes.
 */
export const noticeEntries = (id: string, doc: CopyNoticeDoc): string[] => {
  const { notice } = doc;
  const head = `|${issuedKey(notice.issuedAt)}|${id}${TAIL}${flag(notice.recipients.every((r) => acknowledgedBy(notice, r)))}`;
  const entries = [`${NoticeScope.all}${head}-`];
  for (const agency of notice.recipients) {
    const acknowledged = flag(acknowledgedBy(notice, agency));
    entries.push(`${NoticeScope.recipient(agency)}${head}${acknowledged}`);
    for (const viewer of doc.visibleTo) if (viewer !== agency) entries.push(`${NoticeScope.pair(viewer, agency)}${head}${acknowledged}`);
  }
  return [...new Set(entries)];
};

const caseIdOf = (event: RecordedEvent): string => event.streamId.slice('case-'.length);

export const copyNoticesProjection: Projection<CopyNoticesContext> = {
  name: 'copyNotices',
  canHandle: COPY_NOTICE_EVENT_TYPES,
  collections: [COPY_NOTICES],
  // read only by range: every value is unique to its document, a per-value set would be one key per entry in Redis
  rangeIndexes: [NOTICE_INDEX],
  keys(event) {
    const noticeId = (event.data as { noticeId?: unknown }).noticeId;
    if (!event.streamId.startsWith('case-') || typeof noticeId !== 'string') return [];
    return [[COPY_NOTICES, noticeDocId(caseIdOf(event), noticeId)]];
  },
  evolve(doc, event, ctx) {
    const before = doc as CopyNoticeDoc | null;
    const notice = evolveCopyNotice(before?.notice ?? null, { type: event.type, data: event.data, time: event.metadata.time, source: event.metadata.source });
    if (notice === null || notice === before?.notice) return { doc: before };
    const caseId = caseIdOf(event);
    const next: CopyNoticeDoc = { caseId, notice, deadlines: noticeAckDeadlines(notice, ctx.deadlines), visibleTo: copyNoticeParties(notice) };
    return { doc: next, indexes: { [NOTICE_INDEX]: noticeEntries(noticeDocId(caseId, notice.id), next) } };
  },
};

// ---------------------------------------------------------------------------------------------
// Reading: which scope answers a question, and which flag of its entries `acknowledged` reads.

export interface NoticeQuestion {
  /** null: sees every notice (organizer, auditor); otherwise the viewer's agency */
  viewer: string | null;
  agency?: string | null;
}

export interface NoticePlan {
  range: { from: string; to: string };
  /** `acknowledged` of an entry: with an agency, has that agency acknowledged; without, have all recipients */
  acknowledged(value: string): boolean;
}

/** The one scope holding exactly the notices the question may list (an empty agency id is no agency, as it always was). */
export function noticePlan(q: NoticeQuestion): NoticePlan {
  const agency = q.agency || null;
  const v = q.viewer;
  const scope = agency === null ? (v === null ? NoticeScope.all : NoticeScope.recipient(v)) : v === null || v === agency ? NoticeScope.recipient(agency) : NoticeScope.pair(v, agency);
  const position = agency === null ? 0 : 1;
  return { range: scopeRange(scope), acknowledged: (value) => value.charAt(value.lastIndexOf(TAIL) + TAIL.length + position) === '1' };
}
