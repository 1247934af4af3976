/**
 * The PostgreSQL notification outbox against the real server: the shared contract suite, each outbox in a schema of
 * its own (dropped afterwards), and what only this adapter must promise — two notifiers overlapping at a lease change
 * keep every notice once and never move the checkpoint back.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import pg from 'pg';
import { openPostgresOutbox } from '../../infra/notifications/postgresOutbox.js';
import type { Notification } from '../../domain/notifications/notifications.js';
import { notificationOutboxContract } from '../contract/notificationOutbox.contract.js';
import { databaseUrl, probePostgres, requireEngine } from './engines.js';

describe('PostgreSQL notification outbox (real server)', function () {
  before(requireEngine('postgres', probePostgres));

  const schemas: string[] = [];
  const newSchema = (): string => {
    const schema = `outbox_${randomBytes(5).toString('hex')}`;
    schemas.push(schema);
    return schema;
  };
  after(async () => {
    if (schemas.length === 0) return;
    const admin = new pg.Pool({ connectionString: databaseUrl(), max: 1 });
    for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });

  notificationOutboxContract('PostgreSQL', async () => {
    const schema = newSchema();
    const open = () => openPostgresOutbox({ connectionString: databaseUrl(), schema });
    const outbox = await open();
    return { outbox, reopen: open, cleanup: () => outbox.close() };
  });

  it('two notifiers recording the same events at once (a lease changing hands): each notice kept once, the checkpoint at the furthest', async () => {
    const schema = newSchema();
    const [a, b] = await Promise.all([openPostgresOutbox({ connectionString: databaseUrl(), schema }), openPostgresOutbox({ connectionString: databaseUrl(), schema })]);
    try {
      const page = (from: number): Notification[] =>
        Array.from({ length: 50 }, (_, i) => ({ id: `${from + i}:xj-market`, type: 'handoff_requested', agencyId: 'xj-market', caseId: 'N1', clock: null, dueDate: null, text: '移送' }));
      const now = new Date('2026-12-03T01:00:00Z');
      const routed = () => true;
      const [fromA, fromB] = await Promise.all([
        Promise.all([0, 50, 100].map((from, i) => a.record(page(from), { now, routed, position: BigInt(from + 50 + i) }))),
        Promise.all([50, 100, 150].map((from) => b.record(page(from), { now, routed, position: BigInt(from + 50) }))),
      ]);
      const newIds = [...fromA.flat(), ...fromB.flat()].map((n) => n.id);
      expect(newIds.length, 'each id returned as new by exactly one of them').to.equal(200);
      expect(new Set(newIds).size).to.equal(200);
      expect(await a.counts()).to.deep.equal({ pending: 200, delivered: 0, failed: 0, unrouted: 0 });
      expect(await b.checkpoint()).to.equal(200n);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
