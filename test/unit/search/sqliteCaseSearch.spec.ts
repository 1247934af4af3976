import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteCaseSearch } from '../../../infra/search/sqliteCaseSearch.js';
import { caseSearchContract } from '../../contract/caseSearch.contract.js';

caseSearchContract('SQLite FTS5 trigram', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'liandong-search-index-'));
  const index = openSqliteCaseSearch({ path: join(dir, 'search.db') });
  return {
    index,
    cleanup: async () => {
      await index.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
