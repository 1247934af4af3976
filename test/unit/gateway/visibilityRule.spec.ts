import { expect } from 'chai';
import type { ActionItem } from '../../../domain/catalog/index.js';
import type { GatewayContext } from '../../../gateway/context.js';
import { visibilityOf, visibleActionItems } from '../../../gateway/readSide/visibility.js';
import type { Role } from '../../../ports/principals.js';
import type { CaseDoc } from '../../../projections/cases/cases.projection.js';

/** gateway/readSide/visibility.ts on its own: the cases are stubs, only their agency lists matter */
const cases: Record<string, string[]> = { L1: ['xj-court', 'xj-market'], K1: ['xj-police', 'xj-proc'] };
const contextOf = (agency: string, ...roles: Role[]): GatewayContext =>
  ({
    principal: { name: 'p', agency: { id: agency, kind: 'government', name: agency }, roles },
    loaders: { caseDoc: { load: async (id: string) => (cases[id] ? ({ state: { id, agencies: cases[id] } } as unknown as CaseDoc) : null) } },
  }) as unknown as GatewayContext;
const item = (n: number, caseId: string | null, owner: string): ActionItem => ({ actionId: `m:A${n}`, meetingId: 'm', caseId, text: `t${n}`, owner, dueDate: '2024-12-01', completedAt: null }) as unknown as ActionItem;

describe('visibility rule (gateway/readSide/visibility.ts)', () => {
  const items = [item(1, 'L1', 'xj-market'), item(2, 'K1', 'xj-market'), item(3, 'K1', 'xj-police'), item(4, null, 'xj-gov'), item(5, null, 'xj-market')];

  it('a viewer: items of cases it may see and items it owns; an owned item of a case it may not see loses its case id', async () => {
    const seen = await visibleActionItems(contextOf('xj-market', 'viewer', 'publisher'), items);
    expect(seen.map((v) => [v.item.actionId, v.caseId])).to.deep.equal([
      ['m:A1', 'L1'],
      ['m:A2', null],
      ['m:A5', null],
    ]);
    const court = await visibleActionItems(contextOf('xj-court', 'viewer'), items);
    expect(court.map((v) => v.item.actionId)).to.deep.equal(['m:A1']);
  });

  it('organizers and auditors see every item with its case', async () => {
    for (const role of ['organizer', 'auditor'] as const) {
      const seen = await visibleActionItems(contextOf('xj-justice', role), items);
      expect(seen.map((v) => v.caseId)).to.deep.equal(['L1', 'K1', 'K1', null, null]);
      expect(visibilityOf(contextOf('xj-justice', role)).agency).to.equal(null);
    }
  });

  it('cases, handoffs, suggestions, notices, rows: those of the viewer’s agency', async () => {
    const v = visibilityOf(contextOf('xj-market', 'viewer'));
    expect(await v.caseId('L1')).to.equal(true);
    expect(await v.caseId('K1')).to.equal(false);
    expect(await v.caseId('nope')).to.equal(false);
    expect(v.handoff({ from: 'xj-court', to: 'xj-market' } as never)).to.equal(true);
    expect(v.handoff({ from: 'xj-police', to: 'xj-proc' } as never)).to.equal(false);
    expect(v.suggestion({ from: 'xj-court', to: 'xj-gov' } as never)).to.equal(false);
    expect(v.notice({ recipients: ['xj-gov', 'xj-market'] } as never)).to.equal(true);
    expect(v.agencyRow('xj-market')).to.equal(true);
    expect(v.agencyRow('xj-gov')).to.equal(false);
    expect(v.meeting({ organizer: 'xj-justice', participants: ['xj-court'], attendees: [], actionItems: [item(1, null, 'xj-market')] } as never)).to.equal(true);
    expect(v.meeting({ organizer: 'xj-justice', participants: ['xj-court'], attendees: [], actionItems: [] } as never)).to.equal(false);
  });
});
