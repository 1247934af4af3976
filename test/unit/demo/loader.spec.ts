import { expect } from 'chai';
import { loadDemo, resolveRefs, UnresolvedRefError, type DemoLoadDeps } from '../../../infra/demo/loader.js';
import type { CloudEvent, DemoStep } from '../../../infra/demo/scenario.js';

const event = (id: string, extra: Partial<CloudEvent> = {}): CloudEvent => ({
  specversion: '1.0',
  id,
  source: 'yl-market',
  type: 'action_item.completed',
  subject: 'case-1',
  time: '2025-01-10T10:00:00+08:00',
  data: { actionId: 'ref:m-2025q1:A1' },
  ...extra,
});

/** records calls; rejects what `reject` says, returns meeting / action ids like a platform would */
function fakeDeps(reject: (e: CloudEvent) => { code: string; message: string } | null = () => null) {
  const published: CloudEvent[] = [];
  const mutations: { name: string; asAgency: string; at: string; args: Record<string, unknown> }[] = [];
  const progress: [number, number][] = [];
  let actions = 0;
  const deps: DemoLoadDeps = {
    publish: async (_agencyId, events) =>
      events.map((e) => {
        published.push(e);
        const problem = reject(e);
        return problem ? { status: 'rejected', ...problem } : { status: 'accepted' };
      }),
    mutate: async (name, asAgency, at, args) => {
      mutations.push({ name, asAgency, at, args });
      if (name === 'scheduleMeeting') return { id: 'M-7f3a' };
      if (name === 'assignActionItem') return { id: `M-7f3a:A${++actions}` };
      if (name === 'cancelMeeting') throw Object.assign(new Error('会议已召开，不能取消'), { code: 'BAD_USER_INPUT' });
      return { id: String(args.meetingId ?? args.id) };
    },
    onProgress: (done, total) => progress.push([done, total]),
  };
  return { deps, published, mutations, progress };
}

const mutation = (name: Extract<DemoStep, { kind: 'mutation' }>['name'], args: Record<string, unknown>, ref?: string): DemoStep => ({
  kind: 'mutation',
  name,
  asAgency: 'yl-justice',
  at: '2025-01-08T17:00:00+08:00',
  args,
  ...(ref ? { ref } : {}),
});

describe('demo loader (infra/demo/loader.ts)', () => {
  it('replaces ref: placeholders anywhere in a JSON value, and only whole strings', () => {
    const refs = new Map([['m-2025q1', 'M-1'], ['m-2025q1:A2', 'M-1:A2']]);
    expect(resolveRefs({ input: { meetingId: 'ref:m-2025q1', list: ['ref:m-2025q1:A2', 'x'] }, n: 3, text: '见 ref:m-2025q1' }, refs)).to.deep.equal({
      input: { meetingId: 'M-1', list: ['M-1:A2', 'x'] },
      n: 3,
      text: '见 ref:m-2025q1',
    });
    expect(() => resolveRefs({ id: 'ref:nope' }, refs)).to.throw(UnresolvedRefError, 'ref:nope');
  });

  it('binds the ids mutations return and substitutes them in later mutations and published events', async () => {
    const f = fakeDeps();
    const result = await loadDemo(
      [
        mutation('scheduleMeeting', { input: { title: '推进会', scheduledAt: '2025-01-08T14:30:00+08:00', participants: ['yl-market'] } }, 'm-2025q1'),
        mutation('nominateCase', { meetingId: 'ref:m-2025q1', caseId: 'case-1', reason: 'agency_lost' }),
        mutation('assignActionItem', { input: { meetingId: 'ref:m-2025q1', caseId: 'case-1', text: '整改', owner: 'yl-market', dueDate: '2025-02-08' } }, 'm-2025q1:A1'),
        { kind: 'publish', agencyId: 'yl-market', events: [event('done-1'), event('done-2', { subject: 'ref:m-2025q1', data: { actionId: 'ref:m-2025q1:A1', note: '已完成' } })] },
      ],
      f.deps,
    );
    expect(f.mutations[1]!.args).to.deep.equal({ meetingId: 'M-7f3a', caseId: 'case-1', reason: 'agency_lost' });
    expect((f.mutations[2]!.args.input as Record<string, unknown>).meetingId).to.equal('M-7f3a');
    expect(f.published.map((e) => [e.subject, e.data.actionId])).to.deep.equal([
      ['case-1', 'M-7f3a:A1'],
      ['M-7f3a', 'M-7f3a:A1'],
    ]);
    expect(result).to.deep.equal({ accepted: 2, rejected: 0, mutations: 3, unexpected: [] });
    expect(f.progress.at(-1)).to.deep.equal([5, 5]);
  });

  it('counts bad- rejections as intended and reports every surprise with its code and message', async () => {
    const f = fakeDeps((e) => (e.id === 'bad-1' || e.id === 'good-2' ? { code: 'invalid_transition', message: '移送状态不允许' } : null));
    const result = await loadDemo(
      [
        { kind: 'publish', agencyId: 'yl-market', events: [event('good-1', { data: {} }), event('bad-1', { data: {} }), event('good-2', { data: {} }), event('bad-2', { data: {} })] },
        mutation('cancelMeeting', { id: 'M-9', reason: '改期' }),
        { kind: 'publish', agencyId: 'yl-market', events: [event('good-3', { data: { actionId: 'ref:never-bound:A1' } })] },
      ],
      f.deps,
    );
    expect(result.accepted).to.equal(1);
    expect(result.rejected).to.equal(1);
    expect(result.mutations).to.equal(0);
    expect(result.unexpected).to.have.length(4);
    expect(result.unexpected[0]).to.equal('good-2 (action_item.completed): invalid_transition 移送状态不允许');
    expect(result.unexpected[1]).to.match(/^bad-2: accepted, but the demo meant it to be rejected/);
    expect(result.unexpected[2]).to.match(/^cancelMeeting\(.*\): BAD_USER_INPUT 会议已召开，不能取消$/);
    expect(result.unexpected[3]).to.match(/^good-3: not sent, unresolved demo placeholder ref:never-bound:A1/);
    expect(f.published.map((e) => e.id)).to.not.include('good-3');
  });
});
