/**
 * Fills a data directory for measuring `liandong replay` (docs/decisions.md "Replay with bounded memory"): the
 * benchmark workload (demo city templates scaled up) appended through the ingest pipeline into `liandong.db`, and
 * every projection rebuilt into `readmodels.db`, as a platform that ran it would leave them. Then:
 *   /usr/bin/time -v node bin/liandong.mjs replay --config infra/config/demo.config.json --data-dir DIR
 *
 *   npx tsx bench/replayStore.ts DIR [EVENTS=150000] [CASES=EVENTS/33]
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock } from '../infra/clock.js';
import { openSqliteEventStore } from '../infra/eventStore/sqliteEventStore.js';
import { createIngestPipeline } from '../infra/ingest/pipeline.js';
import { createValidator } from '../infra/ingest/validator.js';
import { openEmbeddedReadModelStore } from '../infra/readModels/embeddedReadModelStore.js';
import { openSqliteRejectionStore } from '../infra/rejections/sqliteRejectionStore.js';
import { projectionContext, rebuildInto } from './rebuild.js';
import { agencyDirectory, batches, buildWorkload, demoConfig } from './workload.js';

const [dir, eventsArg, casesArg] = process.argv.slice(2);
if (!dir) throw new Error('usage: npx tsx bench/replayStore.ts DIR [EVENTS] [CASES]');
const events = Number(eventsArg ?? 150_000);
const cases = Number(casesArg ?? Math.max(10, Math.round(events / 33)));
mkdirSync(dir, { recursive: true });
const config = demoConfig();
const agencies = agencyDirectory(config);
const workload = await buildWorkload({ cases, events, longCaseEvents: Math.min(1000, Math.floor(events / 10)), now: new Date() });
const store = openSqliteEventStore({ path: join(dir, 'liandong.db'), clock: systemClock });
const pipeline = createIngestPipeline({
  store,
  rejections: openSqliteRejectionStore({ path: join(dir, 'rejections.db') }),
  validator: createValidator(),
  agencies,
  copyNoticeRecipients: config.copyNoticeRecipients,
  clock: systemClock,
});
let appended = 0;
for (const batch of batches(workload, 500)) {
  const results = await pipeline.ingest(
    batch.events.map((raw) => ({ value: JSON.parse(raw) as unknown, raw })),
    { agency: agencies.get(batch.agencyId)!, principal: 'bench', channel: 'http' },
  );
  appended += results.filter((r) => r.status === 'accepted').length;
  if (appended % 20_000 < 500) process.stdout.write(`\r${appended} events`);
}
const readModels = openEmbeddedReadModelStore({ path: join(dir, 'readmodels.db') });
const rate = await rebuildInto(store, readModels, projectionContext(config));
await readModels.close();
await store.close();
console.log(`\n${appended} events in ${dir}/liandong.db, read models rebuilt in ${rate.seconds.toFixed(1)} s`);
