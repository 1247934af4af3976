import type { CaseSearch, CaseSearchEntry } from '../../ports/caseSearch.js';
import { wrapReadModelStore, type DocumentWrite, type ReadModelStore } from '../../ports/readModelStore.js';
import { positionOf } from '../projection.js';
import { CASE_SEARCH, caseSearchProjection, type CaseSearchDoc } from './caseSearch.projection.js';

/**
 * The read-model store the caseSearch projection is run against: every commit of its documents puts them into the
 * search index first, and a reset of its collection (a rebuild) clears the index first. The index lives in another
 * database than the documents (a SQLite file of its own; PostgreSQL beside Redis), so the two cannot move in one
 * transaction; instead every index write is idempotent and ordered by the event position it carries: a commit that
 * fails after the index was written is applied again from the checkpoint and writes the same entries, and a writer
 * that lost its lease can only write entries older than or equal to those already there, which are ignored.
 */
export function feedCaseSearch(store: ReadModelStore, index: CaseSearch): ReadModelStore {
  return wrapReadModelStore(store, {
    async commit(projection, position, writes) {
      const entries = writes.flatMap(searchEntryOf);
      if (entries.length > 0) await index.put(entries);
      await store.commit(projection, position, writes);
    },
    async reset(projections, collections) {
      if (collections.includes(CASE_SEARCH)) await index.clear();
      await store.reset(projections, collections);
    },
  });
}

/** the index entry of a committed caseSearch document ([] for any other write) */
function searchEntryOf(write: DocumentWrite): CaseSearchEntry[] {
  if (write.collection !== CASE_SEARCH || write.doc === null) return [];
  const doc = write.doc as CaseSearchDoc;
  const position = positionOf(doc);
  if (position === null) throw new Error(`caseSearch document ${write.id} has no position: it must be committed by the projection runner`);
  return [{ caseId: doc.caseId, title: doc.title, caseNumber: doc.caseNumber, partyNames: doc.partyNames, agencies: doc.agencies, position }];
}

/**
 * An index that lost its entries while the projection kept its documents and checkpoint (its file deleted, a clear
 * whose reset never came) would stay empty: the projection is then reset, so the runner builds both again from the
 * first event. Called by the composition roots before the runner starts.
 */
export async function rebuildIfIndexLost(store: ReadModelStore, index: CaseSearch): Promise<boolean> {
  if ((await index.count()) > 0) return false;
  if ((await store.checkpoint(caseSearchProjection.name)) === null) return false;
  if ((await store.listIds(CASE_SEARCH)).length === 0) return false;
  await store.reset([caseSearchProjection.name], [CASE_SEARCH]);
  return true;
}
