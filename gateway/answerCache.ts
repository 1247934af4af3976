/**
 * Answers to read-model queries, kept until the read models move (docs/decisions.md "GraphQL answer cache").
 *
 * A liaison meeting's dossier or the handoff board is asked for by many people while nothing changes: every
 * clerk of every agency opens the same page before the meeting. Computing it means visiting every case with a
 * running clock, and 50 people asking at once on one event loop queue behind each other. So a query whose
 * every root field reads only the read models is answered once per *version* — the projections' checkpoints —
 * and its serialised answer is sent again to the same principal until a projection commits anything.
 *
 * The key is (audience, today's date in China, version, query text, operation name, variables). The audience
 * is what a resolver may look at: the principal's agency and roles — everyone of the 司法局 with the organizer
 * role sees the same dossier, so the tenth of them to open it gets the first one's answer — and the principal's
 * own name as well when the query asks for `me` (the only field that shows it; see `audienceOf`). So a viewer
 * never gets what an organizer was shown, nor one agency what another's viewer was; an answer that says
 * "overdue" is not served the next day; and any committed event (which moves every checkpoint) makes every
 * kept answer unreachable. Only answers without errors are kept, and only requests Apollo would take as they are
 * are looked up (server.ts `mayUseCache`: the cache never answers for a request Apollo would refuse); the Accept
 * header as sent is part of the key and a kept answer is sent with the headers Apollo chose for it (its negotiated
 * content type), so a kept answer is the answer Apollo would give. A hit is still written to the access log under
 * the principal who asked, like any other answer. A kept answer is also kept gzip-compressed (a dossier's
 * attention list is hundreds of kilobytes of repetitive text on an intranet link) and sent that way to clients
 * that accept it.
 *
 * While an answer is being computed, the same question under the same key waits for it instead of computing it
 * again (`pending` / `claim`): after an event, the people who had the dossier open ask again at about the same
 * time, and with read models in Redis the computations would otherwise overlap and multiply.
 *
 * Not cached: mutations, `case(asOf)` and `case(atRevision)` (they fold the event store), `history`, `auditVerify`, `rejections` and
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
      // case(asOf) and case(atRevision) read the event store; a variable named anything might carry them, so any
      // such argument counts
      !(selection.name.value === 'case' && selection.arguments?.some((argument) => argument.name.value === 'asOf' || argument.name.value === 'atRevision')),
  );
}

/** the principal as far as answers to `query` can depend on it (see the module comment) */
export function audienceOf(principal: { name: string; agency: { id: string }; roles: readonly string[] }, query: string): string {
  const roles = [...principal.roles].sort().join(',');
  // A field name cannot be escaped or built from variables, so a query that shows `me` has the word in its text;
  // the word elsewhere (an alias, a string) only makes the key personal, which is always safe.
  return /\bme\b/.test(query) ? `${principal.agency.id}|${roles}|${principal.name}` : `${principal.agency.id}|${roles}`;
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
  /** misses that waited for the same answer being computed for someone else… */
  waited: number;
  /** …and got it (the others compute their own: it was not kept) */
  shared: number;
  entries: number;
  bytes: number;
}

export interface AnswerCache<Extra> {
  /** `audience`: audienceOf(principal, query), plus anything else the answer's bytes depend on (Accept) */
  key(parts: { audience: string; today: string; version: string; query: string; operationName: string | null; variables: unknown }): string;
  get(key: string): CachedAnswer<Extra> | undefined;
  set(key: string, answer: CachedAnswer<Extra>): void;
  /** the answer another request is computing under `key`: resolves to it, or to undefined if it was not kept */
  pending(key: string): Promise<CachedAnswer<Extra> | undefined> | undefined;
  /**
   * Marks `key` as being computed by the caller, who must call the returned function once, however it ends:
   * with the answer it kept, or with nothing (errors, a version that moved, a failure) — then waiters compute
   * their own.
   */
  claim(key: string): (kept: CachedAnswer<Extra> | undefined) => void;
  stats(): AnswerCacheStats;
}

/**
 * An LRU of answers bounded by their total size. Answers of an older version are never asked for again and
 * simply age out; the bound keeps them from piling up while events arrive.
 */
export function createAnswerCache<Extra>(options: { maxBytes: number }): AnswerCache<Extra> {
  const entries = new Map<string, CachedAnswer<Extra> & { bytes: number }>();
  let bytes = 0;
  const computing = new Map<string, Promise<CachedAnswer<Extra> | undefined>>();
  let hits = 0;
  let misses = 0;
  let waited = 0;
  let shared = 0;
  return {
    key(parts) {
      // one digest instead of a long composite string: the query text alone can be kilobytes
      return createHash('sha256')
        .update(JSON.stringify([parts.audience, parts.today, parts.version, parts.query, parts.operationName, parts.variables ?? null]))
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
    pending(key) {
      const answer = computing.get(key);
      if (answer === undefined) return undefined;
      waited += 1;
      return answer.then((kept) => {
        if (kept) shared += 1;
        return kept;
      });
    },
    claim(key) {
      let settle!: (kept: CachedAnswer<Extra> | undefined) => void;
      const answer = new Promise<CachedAnswer<Extra> | undefined>((resolve) => (settle = resolve));
      computing.set(key, answer);
      let settled = false;
      return (kept) => {
        if (settled) return;
        settled = true;
        // a later claim of the same key (a waiter whose answer was not kept) is not this one's to remove
        if (computing.get(key) === answer) computing.delete(key);
        settle(kept);
      };
    },
    stats: () => ({ hits, misses, waited, shared, entries: entries.size, bytes }),
  };
}
