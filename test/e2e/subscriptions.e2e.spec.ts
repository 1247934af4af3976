import { expect } from 'chai';
import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { TEST_CITY } from './fixtures.js';
import { cloudEvent, gql, publish, startProgram, stopProgram, tempDir, writeConfig, type RunningProgram } from './harness.js';

/**
 * graphql.md revision 2 `Subscription`, with the graphql-ws client against the real program (`npm start`): a viewer
 * hears of the clocks it may see when an agency publishes over HTTP, a viewer of another agency hears nothing of
 * them, and an unknown token is refused at connection.
 */

const PROC = 'test-proc-token';
const COURT = 'test-court-token';
const MARKET = 'test-market-token';

const CLOCK_CHANGED = `subscription Clocks($agency: ID) { clockChanged(agency: $agency) { id kind name dueDate owner { id } case { id title } } }`;
const CASE_CHANGED = `subscription Case($id: ID!) { caseChanged(id: $id) { id title handoffs { id status } } }`;

interface ClockMessage {
  id: string;
  kind: string;
  owner: { id: string };
  case: { id: string; title: string } | null;
}

/** how long a test waits for a message it expects before failing: generous, it is not a measure */
const DEADLINE_MS = 30_000;
/** a warm-up handoff not heard within this is taken as sent before the subscription was in place: another follows */
const WARM_UP_MS = 3_000;

/** one subscription and what it has received so far */
class Listening<T> {
  readonly received: T[] = [];
  error: unknown = null;
  private waiters: (() => void)[] = [];
  readonly unsubscribe: () => void;

  constructor(client: Client, query: string, variables: Record<string, unknown>, field: string) {
    this.unsubscribe = client.subscribe<Record<string, T>>(
      { query, variables },
      {
        next: (result) => {
          if (result.errors) this.error = result.errors;
          else if (result.data) this.received.push(result.data[field]!);
          this.wake();
        },
        error: (error) => {
          this.error = error;
          this.wake();
        },
        complete: () => this.wake(),
      },
    );
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** the first received message that `match` accepts; undefined when none came within `ms` */
  async until(match: (message: T) => boolean, ms = DEADLINE_MS): Promise<T | undefined> {
    const deadline = Date.now() + ms;
    for (;;) {
      if (this.error) throw new Error(`subscription failed: ${JSON.stringify(this.error, Object.getOwnPropertyNames(this.error as object))}`);
      const found = this.received.find(match);
      if (found !== undefined || Date.now() >= deadline) return found;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

describe('GraphQL subscriptions (e2e): graphql-ws at /graphql', function () {
  this.timeout(180_000);
  const dir = tempDir('ld-subscriptions-');
  const config = writeConfig(dir, TEST_CITY);
  let program: RunningProgram;
  const clients: Client[] = [];
  let n = 0;

  const wsUrl = (): string => `${program.base.replace(/^http/, 'ws')}/graphql`;
  const connect = (token: string | null, extra: { header?: string } = {}): Client => {
    const header = extra.header;
    const client = createClient({
      url: wsUrl(),
      // the upgrade's Authorization header, the way a server-side client would send it
      webSocketImpl: header
        ? class extends WebSocket {
            constructor(url: string, protocols?: string | string[]) {
              super(url, protocols, { headers: { authorization: header } });
            }
          }
        : WebSocket,
      ...(token === null ? {} : { connectionParams: { authorization: `Bearer ${token}` } }),
      retryAttempts: 0,
      lazy: true,
    });
    clients.push(client);
    return client;
  };

  /** today minus a few minutes: events may not be ahead of the platform clock */
  const recently = (): string => new Date(Date.now() - 60_000).toISOString();

  async function send(token: string, events: ReturnType<typeof cloudEvent>[]): Promise<void> {
    const r = await publish(program.base, token, events);
    expect(r.status, JSON.stringify(r.json)).to.equal(200);
    for (const result of r.json!.results!) expect(result.status, `${result.id}: ${result.message ?? ''}`).to.equal('accepted');
  }

  /** `sender` opens a case and hands it to 市场监管局 for information (信息通报), which signs for it: its clock starts */
  async function handoffToMarket(sender: { token: string; agency: string; kind: string }, caseId: string, title: string): Promise<void> {
    const id = () => `${sender.agency}-sub-${++n}`;
    await send(sender.token, [
      cloudEvent(sender.agency, id(), 'case.registered', caseId, recently(), { kind: sender.kind, title, parties: [{ name: '张某', role: sender.kind === 'criminal' ? 'suspect' : 'plaintiff', type: 'person' }] }),
      cloudEvent(sender.agency, id(), 'handoff.requested', caseId, recently(), { handoffId: `${caseId}-h`, to: 'xj-market', purpose: 'information_notice' }),
    ]);
    await send(MARKET, [cloudEvent('xj-market', `xj-market-sub-${++n}`, 'handoff.received', caseId, recently(), { handoffId: `${caseId}-h` })]);
  }

  const proc = { token: PROC, agency: 'xj-proc', kind: 'criminal' };
  const court = { token: COURT, agency: 'xj-court', kind: 'civil_dispute' };
  const marketHandoffClock = (caseId: string) => (m: ClockMessage) => m.case?.id === caseId && m.kind === 'HANDOFF';

  /**
   * Subscriptions start when the server has read the subscribe message, which the protocol does not acknowledge:
   * until one is heard of, each warm-up case is a new one the listener may see, and the first heard of proves it live.
   */
  async function live(listening: Listening<ClockMessage>, sender: typeof proc): Promise<string> {
    for (let attempt = 1; attempt <= 10; attempt++) {
      const caseId = `W-${sender.agency}-${++n}`;
      await handoffToMarket(sender, caseId, `预热案件 ${caseId}`);
      if (await listening.until(marketHandoffClock(caseId), WARM_UP_MS)) return caseId;
    }
    throw new Error('the subscription never went live');
  }

  before(async () => {
    program = await startProgram({ config, dataDir: join(dir, 'data') });
  });
  after(async () => {
    for (const client of clients) await client.dispose();
    if (program) await stopProgram(program);
  });

  it('a viewer hears of the clock a handoff to its agency starts; a viewer of another agency hears nothing of it', async () => {
    const market = new Listening<ClockMessage>(connect(MARKET), CLOCK_CHANGED, { agency: 'xj-market' }, 'clockChanged');
    const courtViewer = new Listening<ClockMessage>(connect(COURT), CLOCK_CHANGED, {}, 'clockChanged');
    await live(market, proc);
    const courtWarmUp = await live(courtViewer, court);

    // 检察院 → 市场监管局: the court is no party to it
    await handoffToMarket(proc, 'S1', '某食品厂涉嫌生产销售伪劣产品案');
    const heard = await market.until(marketHandoffClock('S1'));
    expect(heard, 'the market viewer hears of the clock of the handoff it signed for').to.not.equal(undefined);
    expect(heard).to.deep.include({ kind: 'HANDOFF', owner: { id: 'xj-market' }, case: { id: 'S1', title: '某食品厂涉嫌生产销售伪劣产品案' } });

    // a later one the court may see (it sends it): heard of, and nothing of S1 came before or with it
    await handoffToMarket(court, 'S2', '食品买卖合同纠纷');
    expect(await courtViewer.until(marketHandoffClock('S2')), 'the court hears of the handoff it sent').to.not.equal(undefined);
    // (a clock's id names its case; a clock whose case the caller may not see would show `case: null`)
    const notForTheCourt = courtViewer.received.filter((m) => m.case === null || m.id.includes('S1'));
    expect(notForTheCourt, 'the court heard of a clock of a case it may not see').to.deep.equal([]);
    for (const m of courtViewer.received) expect([courtWarmUp, 'S2'].includes(m.case!.id) || m.case!.id.startsWith('W-xj-court-'), `unexpected case ${m.case!.id}`).to.equal(true);
    // and the market viewer, filtered to its own clocks, heard only of clocks it owns
    for (const m of market.received) expect(m.owner.id).to.equal('xj-market');
  });

  it('caseChanged: the parties hear of their case, a viewer that is no party hears nothing', async () => {
    const caseId = 'S3';
    const marketCase = new Listening<{ id: string; handoffs: { id: string; status: string }[] }>(connect(MARKET), CASE_CHANGED, { id: caseId }, 'caseChanged');
    const courtCase = new Listening<{ id: string }>(connect(COURT), CASE_CHANGED, { id: caseId }, 'caseChanged');
    // the court's own case, on the same connection as a marker that the court's stream is live
    const courtClocks = new Listening<ClockMessage>(connect(COURT), CLOCK_CHANGED, {}, 'clockChanged');
    await live(courtClocks, court);
    // the market's case subscription is live once a change of S3 reaches it: S3 is registered, then changed until heard of
    await handoffToMarket(proc, caseId, '公益诉讼线索核查');
    let received = await marketCase.until((c) => c.handoffs.some((h) => h.status === 'RECEIVED'), WARM_UP_MS);
    for (let step = 1; !received && step <= 10; step++) {
      await send(PROC, [cloudEvent('xj-proc', `xj-proc-note-${++n}`, 'handoff.requested', caseId, recently(), { handoffId: `${caseId}-h${step}`, to: 'xj-market', purpose: 'information_notice' })]);
      received = await marketCase.until((c) => c.handoffs.some((h) => h.id === `${caseId}-h${step}`), WARM_UP_MS);
    }
    expect(received, 'the market hears of the case it is party to').to.not.equal(undefined);
    expect(received!.id).to.equal(caseId);
    // the court: a later change it may see reaches it through its other subscription, and S3 never did
    await handoffToMarket(court, 'S4', '买卖合同纠纷（二）');
    expect(await courtClocks.until(marketHandoffClock('S4'))).to.not.equal(undefined);
    expect(courtCase.received, 'the court is no party to S3').to.deep.equal([]);
    expect(courtCase.error).to.equal(null);
  });

  it('an unknown token, or none, is refused at connection; a known one in the upgrade header is accepted', async () => {
    for (const client of [connect('not-a-token'), connect(null)]) {
      const refused = new Listening<ClockMessage>(client, CLOCK_CHANGED, {}, 'clockChanged');
      await refused.until(() => false, DEADLINE_MS).catch(() => undefined);
      const closed = refused.error as { code?: number } | null;
      expect(closed, 'the connection is closed').to.not.equal(null);
      expect(closed!.code, '4403 Forbidden').to.equal(4403);
    }
    const byHeader = new Listening<ClockMessage>(connect(null, { header: `Bearer ${MARKET}` }), CLOCK_CHANGED, { agency: 'xj-market' }, 'clockChanged');
    expect(await live(byHeader, proc)).to.match(/^W-/);
  });

  it('queries go over HTTP: a query sent over the socket is refused with a message that says where to send it', async () => {
    const listening = new Listening<unknown>(connect(MARKET), '{ agencies { id } }', {}, 'agencies');
    await listening.until(() => false, DEADLINE_MS).catch(() => undefined);
    expect(JSON.stringify(listening.error)).to.match(/HTTP POST \/graphql/);
  });

  it('a subscription that does not fit the schema is refused in Chinese, graphql-js’ English beside it', async () => {
    const listening = new Listening<unknown>(connect(MARKET), 'subscription { clockChanged { nope } }', {}, 'clockChanged');
    await listening.until(() => false, DEADLINE_MS).catch(() => undefined);
    const error = JSON.stringify(listening.error);
    expect(error).to.match(/类型 Clock 没有字段 nope/);
    expect(error).to.match(/Cannot query field/);
  });

  it('a subscription sent over HTTP is refused with a message that says to use the WebSocket', async () => {
    const r = await gql(program.base, MARKET, CLOCK_CHANGED, { agency: 'xj-market' });
    expect(r.status).to.equal(400);
    expect(r.json!.errors![0]!.extensions?.['code']).to.equal('BAD_REQUEST');
    expect(r.json!.errors![0]!.message).to.match(/WebSocket/);
  });
});
