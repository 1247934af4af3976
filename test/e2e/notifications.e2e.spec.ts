/**
 * Webhook notifications against the real program and a real local HTTP receiver (operations.md "Notifications";
 * issue 17 Show): the signature verifies with the agency's secret; a receiver that fails twice and then answers 2xx
 * gets the notice three times under one id and accepts it once; a SIGKILL of the platform loses nothing — a notice
 * made before the kill and not yet delivered is delivered after the restart.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { expect } from 'chai';
import { TEST_CITY } from './fixtures.js';
import { cloudEvent, gql, publish, sleep, startProgram, stopProgram, tempDir, writeConfig, type RunningProgram } from './harness.js';

const SECRET = 'xj-market-hook-secret-for-tests';
const ORGANIZER = 'test-organizer-token';
const at = (day: string, hm = '09:00'): string => `${day}T${hm}:00+08:00`;

interface Received {
  body: string;
  signature: string | undefined;
  answered: number;
}

/** a webhook receiver whose answers are scripted per notification id: the first `failures` attempts of each get 503 */
function receiver(failuresPerNotice: () => number): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const attempts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const id = (JSON.parse(body) as { id: string }).id;
      const n = (attempts.get(id) ?? 0) + 1;
      attempts.set(id, n);
      const status = n <= failuresPerNotice() ? 503 : 204;
      received.push({ body, signature: req.headers['x-liandong-signature'] as string | undefined, answered: status });
      res.writeHead(status).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`,
        received,
        close: () => new Promise((r) => server.close(() => r())),
      }),
    ),
  );
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

interface ShownNotice {
  id: string;
  state: string;
  attempts: number;
}

/** the notice as an organizer sees it, once its stored state is DELIVERED (the receiver answers before the platform records it) */
async function storedAsDelivered(base: string, id: string): Promise<ShownNotice> {
  const until = Date.now() + 30_000;
  for (;;) {
    const answer = await gql(base, ORGANIZER, '{ notifications(agency: "xj-market") { id type state attempts deliveredAt lastError } }');
    expect(answer.json!.errors, JSON.stringify(answer.json!.errors)).to.equal(undefined);
    const shown = (answer.json!.data as { notifications: ShownNotice[] }).notifications.find((n) => n.id === id);
    if (shown?.state === 'DELIVERED') return shown;
    if (Date.now() > until) throw new Error(`notice ${id} not shown as delivered: ${JSON.stringify(shown)}`);
    await sleep(100);
  }
}

describe('webhook notifications (e2e): signed, retried with backoff, delivered once by id, nothing lost across SIGKILL', function () {
  this.timeout(240_000);
  const dir = tempDir('ld-notify-e2e-');
  let failures = 2;
  let hook: Awaited<ReturnType<typeof receiver>>;
  let program: RunningProgram | undefined;
  let config: string;
  const dataDir = join(dir, 'data');
  const env = { XJ_MARKET_HOOK_SECRET: SECRET };

  before(async () => {
    hook = await receiver(() => failures);
    config = writeConfig(dir, { ...TEST_CITY, notifications: { dueSoonWorkingDays: 3, firstRetrySeconds: 1, webhooks: [{ agencyId: 'xj-market', url: hook.url, secretEnv: 'XJ_MARKET_HOOK_SECRET' }] } });
    program = await startProgram({ config, dataDir, env });
  });
  after(async () => {
    if (program) await stopProgram(program);
    await hook.close();
  });

  it('a handoff to the market bureau: signed with its secret, two 503s then 204, one id throughout, shown as delivered', async () => {
    const r = await publish(program!.base, 'test-proc-token', [
      cloudEvent('xj-proc', 'n-1', 'case.registered', 'N1', at('2026-11-02'), { kind: 'criminal', title: '通知测试案', parties: [{ name: '王某', role: 'suspect', type: 'person' }] }),
      cloudEvent('xj-proc', 'n-2', 'handoff.requested', 'N1', at('2026-11-02', '10:00'), { handoffId: 'NH1', to: 'xj-market', purpose: 'information_notice' }),
    ]);
    expect(r.json!.results!.map((x) => x.status), JSON.stringify(r.json!.results)).to.deep.equal(['accepted', 'accepted']);
    const startedWaiting = Date.now();
    await waitFor('a 2xx answer', () => (hook.received.some((x) => x.answered === 204) ? true : undefined));
    const attempts = hook.received.filter((x) => JSON.parse(x.body).caseId === 'N1');
    expect(attempts.map((x) => x.answered)).to.deep.equal([503, 503, 204]);
    // backoff 1 s then 2 s (firstRetrySeconds: 1): the two retries took at least 3 s
    expect(Date.now() - startedWaiting).to.be.at.least(2500);
    const bodies = attempts.map((x) => JSON.parse(x.body) as Record<string, unknown>);
    expect(new Set(bodies.map((b) => b.id)).size, 'one id on every attempt').to.equal(1);
    expect(bodies[0]).to.include({ type: 'handoff_requested', agencyId: 'xj-market', caseId: 'N1' });
    expect(bodies[0]!.text).to.match(/新津区人民检察院 向贵单位移送/);
    for (const x of attempts) {
      const expected = `sha256=${createHmac('sha256', SECRET).update(x.body, 'utf8').digest('hex')}`;
      expect(x.signature, 'X-Liandong-Signature is the HMAC-SHA256 of the raw body').to.equal(expected);
    }
    // the receiver holds the body before the platform has read the 204, so the stored state is awaited
    const shown = await storedAsDelivered(program!.base, bodies[0]!.id as string);
    expect(shown).to.include({ state: 'DELIVERED', attempts: 3 });
    // operators see the delivery states in /metrics
    const metrics = await (await fetch(`${program!.base}/metrics`)).text();
    expect(Number(/^liandong_notifications\{state="delivered"\} (\d+)$/m.exec(metrics)?.[1]), metrics.slice(0, 400)).to.be.at.least(1);
  });

  it('a notice not yet delivered when the platform is SIGKILLed is delivered after the restart, under the same id', async () => {
    failures = 1_000; // the receiver refuses everything until the platform is back
    const before = hook.received.length;
    const r = await publish(program!.base, 'test-proc-token', [
      cloudEvent('xj-proc', 'n-3', 'handoff.requested', 'N1', at('2026-11-03', '10:00'), { handoffId: 'NH2', to: 'xj-market', purpose: 'information_notice' }),
    ]);
    expect(r.json!.results![0]!.status).to.equal('accepted');
    await waitFor('a first (refused) attempt', () => (hook.received.slice(before).some((x) => JSON.parse(x.body).text.includes('移送')) ? true : undefined));
    const id = (JSON.parse(hook.received[hook.received.length - 1]!.body) as { id: string }).id;
    await stopProgram(program!, 'SIGKILL'); // returns once every process of the platform is gone
    failures = 0;
    program = await startProgram({ config, dataDir, env });
    const delivered = await waitFor('the delivery after the restart', () => hook.received.find((x) => x.answered === 204 && JSON.parse(x.body).id === id));
    expect(JSON.parse(delivered.body)).to.include({ id, agencyId: 'xj-market', type: 'handoff_requested' });
    // delivered once: once the platform has stored the delivery, no attempt of that id follows
    await storedAsDelivered(program!.base, id);
    expect(hook.received.filter((x) => x.answered === 204 && JSON.parse(x.body).id === id)).to.have.length(1);
  });

  it('a webhook whose secret is not in the environment: the start is refused with one Chinese line naming the variable', async () => {
    const other = join(dir, 'missing-secret');
    const refused = await startProgram({ config, dataDir: other, env: { XJ_MARKET_HOOK_SECRET: '' } }).then(
      () => null,
      (e: Error) => e,
    );
    expect(refused?.message ?? '').to.match(/XJ_MARKET_HOOK_SECRET/);
  });
});
