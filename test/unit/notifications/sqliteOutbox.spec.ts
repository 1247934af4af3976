import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteOutbox } from '../../../infra/notifications/sqliteOutbox.js';
import { notificationOutboxContract } from '../../contract/notificationOutbox.contract.js';

notificationOutboxContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'liandong-outbox-'));
  const open = () => openSqliteOutbox({ path: join(dir, 'notifications.db') });
  const outbox = open();
  return {
    outbox,
    reopen: async () => open(),
    cleanup: async () => {
      await outbox.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
