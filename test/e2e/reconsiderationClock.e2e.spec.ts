import { expect } from 'chai';
import { join } from 'node:path';
import { TEST_CITY } from './fixtures.js';
import { cloudEvent, gql, publish, sleep, startProgram, stopProgram, tempDir, writeConfig, type RunningProgram } from './harness.js';

/**
 * A 行政复议 case published through suspension (中止), resumption (恢复) and extension (延长) against the real program,
 * its decision clock read back through `case.deadlines` and the `clocks` query (deadlines.md rule 8):
 * registered 2024-05-06 (ordinary) → 60 days → 07-05; suspended 05-20, resumed 06-03 (+14) → 07-19 (Friday);
 * extended 10 days → 07-29 (Monday). Due dates are in 2024, so the running clock is overdue today.
 */
const JUSTICE = 'test-justice-token';
const ORGANIZER = 'test-organizer-token';
const at = (day: string, hm = '09:00'): string => `${day}T${hm}:00+08:00`;

describe('行政复议 decision clock (e2e): suspension, resumption and extension read back through case.deadlines and clocks', function () {
  this.timeout(180_000);
  const dir = tempDir('ld-reconsideration-');
  const config = writeConfig(dir, TEST_CITY);
  let program: RunningProgram;
  let n = 0;

  async function send(events: ReturnType<typeof cloudEvent>[]): Promise<void> {
    const r = await publish(program.base, JUSTICE, events);
    expect(r.status).to.equal(200);
    for (const result of r.json!.results!) expect(result.status, `${result.id}: ${result.message ?? ''}`).to.equal('accepted');
  }
  const ce = (type: string, time: string, data: Record<string, unknown>) => cloudEvent('xj-justice', `rc-${++n}`, type, 'R1', time, data);

  interface Read {
    deadline: { name: string; dueDate: string | null; suspended: boolean; overdue: boolean } | undefined;
    clock: { id: string; name: string; dueDate: string | null; overdue: boolean; kind: string } | undefined;
  }
  async function read(): Promise<Read> {
    const r = await gql(
      program.base,
      ORGANIZER,
      `{ case(id: "R1") { deadlines { name dueDate suspended overdue } }
         clocks(kind: RECONSIDERATION, first: 500) { nodes { id name kind dueDate overdue case { id } } } }`,
    );
    expect(r.json!.errors, JSON.stringify(r.json!.errors)).to.equal(undefined);
    const data = r.json!.data as { case: { deadlines: Read['deadline'][] } | null; clocks: { nodes: (Read['clock'] & { case: { id: string } })[] } };
    return {
      deadline: data.case?.deadlines.find((d) => d!.name === 'reconsideration_decision'),
      clock: data.clocks.nodes.find((c) => c.case.id === 'R1' && c.name === 'reconsideration_decision'),
    };
  }
  /** the read side follows the store shortly after: wait until it shows what `ready` expects */
  async function readUntil(ready: (r: Read) => boolean): Promise<Read> {
    let last = await read();
    for (let i = 0; i < 100 && !ready(last); i++) {
      await sleep(100);
      last = await read();
    }
    return last;
  }

  before(async () => {
    program = await startProgram({ config, dataDir: join(dir, 'data') });
  });
  after(async () => {
    if (program) await stopProgram(program);
  });

  it('runs 60 days from registration', async () => {
    await send([
      ce('case.registered', at('2024-05-06'), {
        kind: 'administrative_reconsideration',
        title: '某公司不服区市场监管局行政处罚申请行政复议案',
        parties: [{ name: '某科技有限公司', role: 'applicant', type: 'enterprise' }],
        defendantAgencyId: 'xj-market',
        procedure: 'ordinary',
      }),
    ]);
    const r = await readUntil((x) => x.deadline?.dueDate === '2024-07-05' && x.clock?.dueDate === '2024-07-05');
    expect(r.deadline).to.deep.equal({ name: 'reconsideration_decision', dueDate: '2024-07-05', suspended: false, overdue: true });
    expect(r.clock).to.include({ id: 'R1:reconsideration_decision', kind: 'RECONSIDERATION', dueDate: '2024-07-05', overdue: true });
  });

  it('while suspended: no due date, not overdue, not among the running clocks', async () => {
    await send([ce('reconsideration.suspended', at('2024-05-20'), { reason: '案件涉及法律适用问题，需要有权机关作出解释' })]);
    const r = await readUntil((x) => x.deadline?.suspended === true && x.clock === undefined);
    expect(r.deadline).to.deep.equal({ name: 'reconsideration_decision', dueDate: null, suspended: true, overdue: false });
    expect(r.clock).to.equal(undefined);
  });

  it('resumed: moved by the 14 calendar days suspended → 2024-07-19', async () => {
    await send([ce('reconsideration.resumed', at('2024-06-03'), {})]);
    const r = await readUntil((x) => x.deadline?.dueDate === '2024-07-19' && x.clock?.dueDate === '2024-07-19');
    expect(r.deadline).to.deep.equal({ name: 'reconsideration_decision', dueDate: '2024-07-19', suspended: false, overdue: true });
    expect(r.clock).to.include({ dueDate: '2024-07-19', overdue: true });
  });

  it('extended by 10 days → 2024-07-29, once only', async () => {
    await send([ce('reconsideration.extended', at('2024-06-10'), { days: 10, approvedBy: '区司法局局长' })]);
    const r = await readUntil((x) => x.deadline?.dueDate === '2024-07-29' && x.clock?.dueDate === '2024-07-29');
    expect(r.deadline).to.include({ dueDate: '2024-07-29', suspended: false });
    expect(r.clock).to.include({ dueDate: '2024-07-29' });
    const again = await publish(program.base, JUSTICE, [ce('reconsideration.extended', at('2024-06-11'), { days: 5, approvedBy: '区司法局局长' })]);
    expect(again.json!.results![0]).to.include({ status: 'rejected', code: 'invalid_transition' });
  });
});
