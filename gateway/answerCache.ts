/**
 * Answers to read-model queries, kept until the read models move (docs/decisions.md "GraphQL answer cache").
 *
 * A liaison meeting's dossier or the handoff board is asked for by many people while nothing changes: every
 * clerk of every agency opens the same page before the meeting. Computing it means visiting every case with a
 * running clock, and 50 people asking at once on one event loop queue behind each other. So a query whose
 * every root field reads only the read models is answered once per *version* — the projections' checkpoints —
 * and its serialised answer is sent again to the same principal until a projection commits anything.
 *
 * The key is (principal, today's date in China, version, query text, operation name, variables): a viewer
 * never gets what an organizer was shown, an answer that says "overdue" is not served the next day, and any
 * committed event (which moves every checkpoint) makes every kept answer unreachable. Only answers without
 * errors are kept. A hit is still written to the access log, like any other answer. A kept answer is also kept
 * gzip-compressed (a dossier's attention list is hundreds of kilobytes of repetitive text on an intranet link)
 * and sent that way to clients that accept it.
 *
 * Not cached: mutations, `case(asOf)` (it folds the event store), `history`, `auditVerify`, `rejections` and
 * `accessLog` (their sources change without the read models moving), and anything that is not a plain field
 * at the root.
 */
import { createHash } from 'node:crypto';
import { Kind, type OperationDefinitionNode } from 'graphql';

/** root fields of Query answered from the read models alone */
const READ_MODEL_FIELDS: ReadonlySet<string> = new Set([
  '__typename',
  'agencies',
  'handoffs',
  'case',
  'cases',
  'suggestions',
  'copyNotices',
  'meeting',
  'meetings',
  'scorecard',
  'me',
]);

/** true when every root field of a query reads only the read models (see the module comment) */
export function answersFromReadModels(operation: OperationDefinitionNode): boolean {
  if (operation.operation !== 'query') return false;
  return operation.selectionSet.selections.every(
    (selection) =>
      selection.kind === Kind.FIELD &&
      READ_MODEL_FIELDS.has(selection.name.value) &&
      // case(asOf) reads the event store; a variable named anything might carry it, so any asOf argument counts
      !(selection.name.value === 'case' && selection.arguments?.some((argument) => argument.name.value === 'asOf')),
  );
}

export interface CachedAnswer<Extra> {
  /** the serialised answer, as sent (UTF-8, encoded once) */
  body: Buffer;
  /** the same, gzip-compressed once: what a browser (which always accepts gzip) is sent */
  gzip: Buffer;
  /** what the caller keeps beside it (the access log's description of the request) */
  extra: Extra;
}

export interface AnswerCacheStats {
  hits: number;
  misses: number;
  entries: number;
  bytes: number;
}

export interface AnswerCache<Extra> {
  key(parts: { principal: string; today: string; version: string; query: string; operationName: string | null; variables: unknown }): string;
  get(key: string): CachedAnswer<Extra> | undefined;
  set(key: string, answer: CachedAnswer<Extra>): void;
  stats(): AnswerCacheStats;
}

/**
 * An LRU of answers bounded by their total size. Answers of an older version are never asked for again and
 * simply age out; the bound keeps them from piling up while events arrive.
 */
export function createAnswerCache<Extra>(options: { maxBytes: number }): AnswerCache<Extra> {
  const entries = new Map<string, CachedAnswer<Extra> & { bytes: number }>();
  let bytes = 0;
  let hits = 0;
  let misses = 0;
  return {
    key(parts) {
      // one digest instead of a long composite string: the query text alone can be kilobytes
      return createHash('sha256')
        .update(JSON.stringify([parts.principal, parts.today, parts.version, parts.query, parts.operationName, parts.variables ?? null]))
        .digest('base64url');
    },
    get(key) {
      const entry = entries.get(key);
      if (entry === undefined) {
        misses += 1;
        return undefined;
      }
      hits += 1;
      // most recently used last
      entries.delete(key);
      entries.set(key, entry);
      return entry;
    },
    set(key, answer) {
      const size = answer.body.length + answer.gzip.length + 256;
      if (size > options.maxBytes) return;
      const previous = entries.get(key);
      if (previous !== undefined) {
        bytes -= previous.bytes;
        entries.delete(key);
      }
      entries.set(key, { ...answer, bytes: size });
      bytes += size;
      for (const [oldest, entry] of entries) {
        if (bytes <= options.maxBytes) break;
        entries.delete(oldest);
        bytes -= entry.bytes;
      }
    },
    stats: () => ({ hits, misses, entries: entries.size, bytes }),
  };
}
