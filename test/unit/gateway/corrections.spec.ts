import { expect } from 'chai';
import { correctionStatus } from '../../../gateway/resolvers/corrections.js';
import type { ScorecardCorrectionDoc } from '../../../projections/scorecard/scorecard.projection.js';

/** The 社区矫正 list's state of one person (gateway/resolvers/corrections.ts), judged on a given day. */
describe('communityCorrections status', () => {
  const doc = (over: Partial<ScorecardCorrectionDoc['facts']>, reportDue: string | null): ScorecardCorrectionDoc => ({
    caseId: 'CC1',
    facts: { judgments: { J1: { issuedAt: '2026-08-20T09:00:00+08:00', effectiveAt: '2026-09-01', court: 'xj-court' } }, delivery: null, reportedAt: null, abscondedAt: null, ...over },
    reportDue: reportDue as ScorecardCorrectionDoc['reportDue'],
  });

  it('given a 报到 due on 2026-09-11 and no report: awaiting on the due day, unreported (漏管风险) the day after', () => {
    expect(correctionStatus(doc({}, '2026-09-11'), '2026-09-11')).to.equal('AWAITING_REPORT');
    expect(correctionStatus(doc({}, '2026-09-11'), '2026-09-12')).to.equal('UNREPORTED');
  });

  it('given a report: under supervision; given an open 脱管 after it: absconded', () => {
    expect(correctionStatus(doc({ reportedAt: '2026-09-10T10:00:00+08:00' }, null), '2026-12-01')).to.equal('SUPERVISED');
    expect(correctionStatus(doc({ reportedAt: '2026-09-10T10:00:00+08:00', abscondedAt: '2026-11-02T09:00:00+08:00' }, null), '2026-12-01')).to.equal('ABSCONDED');
  });
});
