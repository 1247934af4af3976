import { expect } from 'chai';
import { join } from 'node:path';
import { TEST_CITY } from './fixtures.js';
import { cloudEvent, gql, kill, publish, readUntil, startProgram, stopProgram, tempDir, writeConfig, type RunningProgram } from './harness.js';

/**
 * events.md §5 `parked`, against the real program over HTTP: the justice bureau's system delivers its receipt
 * before the court's system has published the handoff. The receipt is parked (HTTP answer, publishStatus,
 * /metrics), survives a SIGKILL of the program, and is stored right after the handoff once the court publishes it.
 * A receipt for a case nobody registers ends rejected with its original code when the window passes (the program
 * restarted with the shortest window, 0.1 min; the first test's window is long enough for a slow restart).
 */
const COURT = 'test-court-token';
const JUSTICE = 'test-justice-token';
const ORGANIZER = 'test-organizer-token';
const at = (day: string, hm = '09:00'): string => `${day}T${hm}:00+08:00`;
const STATUS = 'query($s: String!, $id: String!) { publishStatus(source: $s, id: $id) { status position code message parkedUntil } }';

describe('parking out-of-order events (e2e): held, kept over a crash, applied in order, or rejected when the window passes', function () {
  this.timeout(180_000);
  const dir = tempDir('ld-parking-');
  const config = writeConfig(dir, { ...TEST_CITY, ingest: { parkingMinutes: 5 } });
  const shortWindow = writeConfig(tempDir('ld-parking-short-'), { ...TEST_CITY, ingest: { parkingMinutes: 0.1 } });
  const dataDir = join(dir, 'data');
  let program: RunningProgram;

  const status = async (id: string) => {
    const r = await gql(program.base, ORGANIZER, STATUS, { s: 'xj-justice', id });
    expect(r.json!.errors, JSON.stringify(r.json!.errors)).to.equal(undefined);
    return r.json!.data!.publishStatus as { status: string; position: string | null; code: string | null; message: string | null; parkedUntil: string | null };
  };
  const metric = async (name: string): Promise<number> => {
    const text = await (await fetch(`${program.base}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return Number(line?.split(' ')[1]);
  };

  after(async () => {
    if (program) await stopProgram(program);
  });

  it('parks a receipt that overtook the handoff and keeps it over a SIGKILL; the handoff brings it in, in order', async () => {
    program = await startProgram({ config, dataDir });
    const registered = await publish(program.base, COURT, [
      cloudEvent('xj-court', 'p-c1', 'case.registered', 'PK-1', at('2026-11-30'), { kind: 'civil_dispute', title: '相邻关系纠纷', parties: [{ name: '甲', role: 'plaintiff', type: 'person' }] }),
    ]);
    expect(registered.json!.results![0]!.status).to.equal('accepted');

    const sentAt = Date.now();
    const early = await publish(program.base, JUSTICE, [cloudEvent('xj-justice', 'p-j1', 'handoff.received', 'PK-1', at('2026-11-30', '11:00'), { handoffId: 'PK-1-h1' })]);
    const parked = early.json!.results![0] as unknown as { status: string; code: string; message: string; parkedUntil: string };
    expect(parked).to.deep.include({ status: 'parked', code: 'invalid_transition' });
    expect(parked.message).to.contain('PK-1-h1');
    const window = Date.parse(parked.parkedUntil) - sentAt;
    expect(window).to.be.within(299_000, 301_000); // 5 min from when the platform received it
    expect(await status('p-j1')).to.deep.include({ status: 'PARKED', code: 'invalid_transition', parkedUntil: parked.parkedUntil, position: null });
    expect(await metric('liandong_parked_events')).to.equal(1);

    // the program dies with the receipt parked; what the HTTP answer acknowledged must still be there
    kill(program, 'SIGKILL');
    program = await startProgram({ config, dataDir });
    expect(await status('p-j1')).to.deep.include({ status: 'PARKED' });

    const handoff = await publish(program.base, COURT, [cloudEvent('xj-court', 'p-c2', 'handoff.requested', 'PK-1', at('2026-11-30', '10:00'), { handoffId: 'PK-1-h1', to: 'xj-justice', purpose: 'entrusted_mediation' })]);
    const handoffPosition = BigInt((handoff.json!.results![0] as { position: string }).position);
    const stored = await readUntil(() => status('p-j1'), (s) => s.status === 'ACCEPTED');
    expect(stored.status).to.equal('ACCEPTED');
    expect(BigInt(stored.position!)).to.equal(handoffPosition + 1n); // stored right after what it waited for
    const handoffs = await readUntil(
      async () => (await gql(program.base, ORGANIZER, '{ case(id: "PK-1") { handoffs { id status } } }')).json!.data!.case.handoffs as { id: string; status: string }[],
      (h) => h[0]?.status === 'RECEIVED',
    );
    expect(handoffs).to.deep.equal([{ id: 'PK-1-h1', status: 'RECEIVED' }]);
    expect(await metric('liandong_parked_events')).to.equal(0);
    const rejections = await gql(program.base, ORGANIZER, '{ rejections(agency: "xj-justice") { totalCount } }');
    expect(rejections.json!.data!.rejections.totalCount).to.equal(0);
  });

  it('rejects with the original code when nothing it waits for comes within the window, kept for 补正', async () => {
    await stopProgram(program);
    program = await startProgram({ config: shortWindow, dataDir });
    const early = await publish(program.base, JUSTICE, [cloudEvent('xj-justice', 'p-j9', 'handoff.received', 'PK-404', at('2026-11-30', '11:00'), { handoffId: 'x' })]);
    expect(early.json!.results![0]).to.deep.include({ status: 'parked', code: 'unknown_case' });
    // the window is 6 s; the attendant looks every second
    const ended = await readUntil(async () => {
      await new Promise((r) => setTimeout(r, 200));
      return status('p-j9');
    }, (s) => s.status === 'REJECTED');
    expect(ended).to.deep.include({ status: 'REJECTED', code: 'unknown_case', parkedUntil: null });
    expect(ended.message).to.contain('已暂存至');
    const kept = await gql(program.base, ORGANIZER, '{ rejections(agency: "xj-justice") { totalCount nodes { code eventId channel } } }');
    expect(kept.json!.data!.rejections).to.deep.equal({ totalCount: 1, nodes: [{ code: 'unknown_case', eventId: 'p-j9', channel: 'http' }] });
  });
});
