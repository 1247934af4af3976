import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteParkingLot } from '../../../infra/parking/sqliteParkingLot.js';
import { parkingLotContract } from '../../contract/parkingLot.contract.js';

parkingLotContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'liandong-parking-'));
  const open = () => openSqliteParkingLot({ path: join(dir, 'parked.db') });
  const lot = open();
  return {
    lot,
    reopen: async () => open(),
    cleanup: async () => {
      await lot.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
