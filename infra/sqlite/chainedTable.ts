/**
 * What the append-only, hash-chained tables in SQLite (the access log, the rejections) share
 * (infra/audit/logChain.ts): the triggers that keep them append-only and chained onto their one-row head, the
 * migration that gives rows stored before the chain their hashes, and the read transaction the auditor reads
 * them in. Each store names its table, head and columns; the SQL is the same for both but for those names.
 *
 * The BEFORE INSERT trigger is what stops INSERT OR REPLACE / REPLACE INTO / upserts: REPLACE deletes the old
 * row without firing DELETE triggers, but the BEFORE INSERT trigger runs first and its RAISE(ABORT) overrides
 * the statement's conflict resolution.
 */
import type { ChainReader } from '../../ports/chainedLog.js';
import { chainLinks } from '../audit/logChain.js';
import type { SqliteDatabase } from '../eventStore/sqliteDatabase.js';

export interface ChainedTableTriggers {
  /** the table: `access_log` */
  table: string;
  /** its one-row head (`singleton`, `last_id`, `last_hash`, and `pruned_id`, `pruned_hash` when pruned) */
  head: string;
  /** how the messages start: `access_log is`, `rejections are` */
  subject: string;
  /** a refused REPLACE, after `… append-only: `: `an entry is never replaced` */
  replaced: string;
  /** a refused INSERT, after `… hash-chained: `: what a new row must be (quotes doubled) */
  chained: string;
  /**
   * retention prunes the table from its oldest end (its own trigger refuses deleting entries still kept), and
   * the head's pruned_id and pruned_hash follow; without it, DELETE is refused
   */
  pruned: boolean;
}

/** the triggers of a chained table and its head */
export function chainedTableTriggers(spec: ChainedTableTriggers): string {
  const { table, head, subject } = spec;
  const appended = `NEW.last_id = OLD.last_id + 1 AND EXISTS (SELECT 1 FROM ${table} WHERE id = NEW.last_id AND hash IS NEW.last_hash)`;
  return `
  CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table}
  BEGIN SELECT RAISE(ABORT, '${subject} append-only'); END;${
    spec.pruned
      ? ''
      : `
  CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table}
  BEGIN SELECT RAISE(ABORT, '${subject} append-only'); END;`
  }
  -- every INSERT, whatever its conflict clause: a new id, the next one, chained onto the head
  CREATE TRIGGER ${table}_append BEFORE INSERT ON ${table}
  BEGIN
    SELECT RAISE(ABORT, '${subject} append-only: ${spec.replaced}') WHERE EXISTS (SELECT 1 FROM ${table} WHERE id = NEW.id);
    SELECT RAISE(ABORT, '${subject} hash-chained: ${spec.chained}')
    WHERE NEW.hash IS NULL OR NEW.id IS NOT (SELECT last_id + 1 FROM ${head}) OR NEW.prev_hash IS NOT (SELECT last_hash FROM ${head});
  END;
  CREATE TRIGGER ${table}_appended AFTER INSERT ON ${table}
  BEGIN UPDATE ${head} SET last_id = NEW.id, last_hash = NEW.hash; END;${
    spec.pruned
      ? `
  CREATE TRIGGER ${table}_pruned AFTER DELETE ON ${table}
  BEGIN UPDATE ${head} SET pruned_id = OLD.id, pruned_hash = OLD.hash WHERE OLD.id > pruned_id; END;`
      : ''
  }
  CREATE TRIGGER ${head}_one_row BEFORE INSERT ON ${head}
  BEGIN SELECT RAISE(ABORT, '${head} has exactly one row'); END;
  CREATE TRIGGER ${head}_kept BEFORE DELETE ON ${head}
  BEGIN SELECT RAISE(ABORT, '${head} has exactly one row'); END;
  -- the head moves only with the log: onto the row just appended${spec.pruned ? ', or past rows just pruned' : ''}
  CREATE TRIGGER ${head}_moves_with_log BEFORE UPDATE ON ${head}
  WHEN NEW.singleton IS NOT OLD.singleton${
    spec.pruned
      ? `
    OR NOT (NEW.last_id = OLD.last_id AND NEW.last_hash IS OLD.last_hash
            OR ${appended})
    OR NOT (NEW.pruned_id = OLD.pruned_id AND NEW.pruned_hash IS OLD.pruned_hash
            OR NEW.pruned_id > OLD.pruned_id AND NEW.pruned_id <= NEW.last_id AND NOT EXISTS (SELECT 1 FROM ${table} WHERE id = NEW.pruned_id))`
      : `
    OR NOT (${appended})`
  }
  BEGIN SELECT RAISE(ABORT, '${head} moves only with the log'); END;`;
}

/**
 * In a migration: gives the rows of `table` their hashes, once, in id order (the oldest stored row starts the
 * chain, prevHash null). Returns the first and last ids hashed (null and 0 when none) and the last hash.
 */
export function backfillChain<Row extends { id: number }>(
  db: SqliteDatabase,
  options: { table: string; columns: string; toRecord(row: Row): object },
): { firstId: number | null; lastId: number; lastHash: string | null } {
  const page = db.prepare<[number], Row>(`SELECT ${options.columns} FROM ${options.table} WHERE id > ? ORDER BY id LIMIT 1000`);
  const write = db.prepare<[string, string | null, number]>(`UPDATE ${options.table} SET hash = ?, prev_hash = ? WHERE id = ?`);
  let lastHash: string | null = null;
  let firstId: number | null = null;
  let lastId = 0;
  for (let rows = page.all(0); rows.length > 0; rows = page.all(lastId)) {
    const links = chainLinks(rows.map(options.toRecord), lastHash);
    rows.forEach((row, index) => write.run(links.hashes[index]!, links.prevHashes[index]!, row.id));
    firstId ??= rows[0]!.id;
    lastId = rows.at(-1)!.id;
    lastHash = links.lastHash;
  }
  return { firstId, lastId, lastHash };
}

/**
 * Opens the auditor's walks over a chained table: each page is read with the head (`head`, the head row, with
 * pruned_id and pruned_hash when pruned) in one read transaction.
 */
export function chainReaders<Row extends { id: number; hash?: string | null; prev_hash?: string | null }>(
  db: SqliteDatabase,
  options: {
    table: string;
    columns: string;
    head: () => { last_id: number; last_hash: string | null; pruned_id?: number; pruned_hash?: string | null };
    toRecord(row: Row): object;
  },
): () => ChainReader {
  const chain = db.prepare<[number, number], Row>(`SELECT ${options.columns}, hash, prev_hash FROM ${options.table} WHERE id > ? ORDER BY id LIMIT ?`);
  const read = db.transaction((afterId: number, max: number) => {
    const head = options.head();
    const rows = chain.all(afterId, max);
    return {
      head: { lastId: BigInt(head.last_id), lastHash: head.last_hash, prunedId: BigInt(head.pruned_id ?? 0), prunedHash: head.pruned_hash ?? null },
      rows: rows.map((row) => ({ id: BigInt(row.id), hash: row.hash ?? null, prevHash: row.prev_hash ?? null, record: options.toRecord(row) })),
    };
  });
  return () => ({
    read: async (afterId, max) => read(Number(afterId), max),
    close: async () => undefined,
  });
}
