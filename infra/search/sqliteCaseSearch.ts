/**
 * The embedded CaseSearch: SQLite FTS5 with the trigram tokenizer, in a file of its own (`<dataDir>/search.db`;
 * the read-model file is held EXCLUSIVE by its store, so a second connection could not share it).
 *
 * Entries sit in `case_search` (case id, position, agencies as rows of `case_search_agencies` for the viewer's
 * filter) and their folded text (ports/caseSearch.ts searchHaystack) in the FTS5 table under the same rowid.
 * A text of three or more characters is a trigram phrase query — a substring match answered from the index;
 * a trigram index cannot answer one or two characters (no trigram to look up), so those are `instr` over the same
 * table's text, a scan of every entry: one row per case, cheap at a city's scale (docs/decisions.md "Search").
 */
import type { SqliteDatabase } from '../eventStore/sqliteDatabase.js';
import { migrate, openDurableDatabase } from '../eventStore/sqliteDatabase.js';
import { searchHaystack, searchLength, type CaseSearch, type CaseSearchEntry, type CaseSearchPage, type CaseSearchQuery } from '../../ports/caseSearch.js';
import { startCaseSearchWriterThread, type CaseSearchWriterThread } from './caseSearchWriterThread.js';

export interface SqliteCaseSearchOptions {
  /** a SQLite file of its own, or ':memory:' */
  path: string;
}

const MIGRATIONS = [
  `CREATE TABLE case_search (
     case_id  TEXT NOT NULL UNIQUE,
     position INTEGER NOT NULL
   );
   CREATE TABLE case_search_agencies (
     agency  TEXT NOT NULL,
     case_id TEXT NOT NULL,
     PRIMARY KEY (agency, case_id)
   ) WITHOUT ROWID;
   -- folded text, so the tokenizer need not fold again (case_sensitive 1 keeps it from lower-casing a second time)
   CREATE VIRTUAL TABLE case_search_text USING fts5(haystack, tokenize = 'trigram case_sensitive 1');`,
];

interface Stored {
  rowid: number | bigint;
  position: number | bigint;
}

/** the index's file (or ':memory:'), with its settings and tables; on every connection that uses it */
export function openCaseSearchDatabase(path: string): SqliteDatabase {
  const db: SqliteDatabase = openDurableDatabase(path);
  try {
    db.pragma('synchronous = NORMAL'); // rebuildable from the event store, like the read models
    db.defaultSafeIntegers(true);
    migrate(db, 'caseSearch', MIGRATIONS);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

export interface CaseSearchWrites {
  put(entries: readonly CaseSearchEntry[]): void;
  clear(): void;
}

/** the index's writes on a connection, each one transaction: on this thread for ':memory:', else in caseSearchWorker.ts */
export function caseSearchWrites(db: SqliteDatabase): CaseSearchWrites {
  const stored = db.prepare<[string], Stored>('SELECT rowid, position FROM case_search WHERE case_id = ?');
  const insert = db.prepare<[string, bigint], { rowid: bigint }>('INSERT INTO case_search (case_id, position) VALUES (?, ?) RETURNING rowid');
  const move = db.prepare<[bigint, number | bigint]>('UPDATE case_search SET position = ? WHERE rowid = ?');
  const deleteText = db.prepare<[number | bigint]>('DELETE FROM case_search_text WHERE rowid = ?');
  const insertText = db.prepare<[number | bigint, string]>('INSERT INTO case_search_text (rowid, haystack) VALUES (?, ?)');
  const deleteAgencies = db.prepare<[string]>('DELETE FROM case_search_agencies WHERE case_id = ?');
  const insertAgency = db.prepare<[string, string]>('INSERT OR IGNORE INTO case_search_agencies (agency, case_id) VALUES (?, ?)');

  const put = db.transaction((entries: readonly CaseSearchEntry[]) => {
    for (const entry of entries) {
      const before = stored.get(entry.caseId);
      if (before !== undefined && BigInt(before.position) >= entry.position) continue;
      let rowid: number | bigint;
      if (before === undefined) {
        rowid = insert.get(entry.caseId, entry.position)!.rowid;
      } else {
        rowid = before.rowid;
        move.run(entry.position, rowid);
        deleteText.run(rowid);
      }
      insertText.run(rowid, searchHaystack(entry));
      deleteAgencies.run(entry.caseId);
      for (const agency of entry.agencies) insertAgency.run(agency, entry.caseId);
    }
  });
  const clear = db.transaction(() => {
    db.exec('DELETE FROM case_search; DELETE FROM case_search_agencies; DELETE FROM case_search_text;');
  });
  return { put: (entries) => put(entries), clear: () => clear() };
}

/** a file is written by the writer thread; a ':memory:' database is this connection's alone, so it is written here */
function writerOf(db: SqliteDatabase, path: string): CaseSearchWriterThread {
  if (path !== ':memory:' && path !== '') return startCaseSearchWriterThread({ path });
  const writes = caseSearchWrites(db);
  return { put: async (entries) => writes.put(entries), clear: async () => writes.clear(), close: async () => undefined };
}

/**
 * A file's index is written by a thread of its own (caseSearchWriterThread.ts): an FTS5 trigram index changes many
 * rows per entry, and its transactions and WAL checkpoints held the event loop for 30 ms and more during a 1M ingest
 * (docs/decisions.md). Searches read on this thread, through a connection of their own.
 */
export function openSqliteCaseSearch(options: SqliteCaseSearchOptions): CaseSearch {
  const db = openCaseSearchDatabase(options.path);
  const writer = writerOf(db, options.path);
  const countAll = db.prepare<[], { n: bigint }>('SELECT count(*) AS n FROM case_search');

  /** the statements of one kind of query (trigram or scan) with or without the agency filter, made on first use */
  const queries = new Map<string, { page: ReturnType<typeof db.prepare>; count: ReturnType<typeof db.prepare> }>();
  const queryFor = (trigram: boolean, byAgency: boolean) => {
    const key = `${trigram}:${byAgency}`;
    let found = queries.get(key);
    if (!found) {
      const where = [
        trigram ? 'case_search_text MATCH @text' : 'instr(t.haystack, @text) > 0',
        ...(byAgency ? ['s.case_id IN (SELECT case_id FROM case_search_agencies WHERE agency = @agency)'] : []),
      ].join(' AND ');
      const from = 'FROM case_search_text t JOIN case_search s ON s.rowid = t.rowid';
      found = {
        page: db.prepare(`SELECT s.case_id AS caseId ${from} WHERE ${where} AND s.case_id > @after ORDER BY s.case_id LIMIT @limit`),
        count: db.prepare(`SELECT count(*) AS n ${from} WHERE ${where}`),
      };
      queries.set(key, found);
    }
    return found;
  };

  let closed = false;
  const assertOpen = (): void => {
    if (closed) throw new Error('case search index is closed');
  };

  return {
    async put(entries) {
      assertOpen();
      await writer.put(entries);
    },
    async clear() {
      assertOpen();
      await writer.clear();
    },
    async count() {
      assertOpen();
      return Number(countAll.get()!.n);
    },
    async search(query: CaseSearchQuery): Promise<CaseSearchPage> {
      assertOpen();
      const trigram = searchLength(query.text) >= 3;
      const { page, count } = queryFor(trigram, query.agency !== null);
      // a trigram query is an FTS5 phrase: quoted, its own quotes doubled, so no character is read as query syntax
      const text = trigram ? `"${query.text.replaceAll('"', '""')}"` : query.text;
      const params = { text, ...(query.agency !== null ? { agency: query.agency } : {}) };
      const totalCount = Number((count.get(params) as { n: bigint }).n);
      // one more than asked: whether a next page exists
      const rows = page.all({ ...params, after: query.after ?? '', limit: query.limit + 1 }) as { caseId: string }[];
      return { caseIds: rows.slice(0, query.limit).map((r) => r.caseId), totalCount, hasNextPage: rows.length > query.limit };
    },
    async close() {
      if (closed) return;
      closed = true;
      // what was asked of the writer is written before the file is let go
      await writer.close();
      db.close();
    },
  };
}
