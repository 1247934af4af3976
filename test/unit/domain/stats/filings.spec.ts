import { expect } from 'chai';
import { routeOf, toCommand, type PublishedFact } from '../../../../domain/catalog/index.js';
import { fold } from '../../../../domain/shared/decider.js';
import { statsDecider, type StatsCommand } from '../../../../domain/stats/index.js';
import { deciderSpec } from '../support/givenWhenThen.js';
import { agency, at, ctx, ev } from '../support/fixtures.js';

const { given } = deciderSpec(statsDecider);

// 收案统计 (events.md §3 Court, revision 2): subject filings-<period>, stream stats-<agencyId>
const filings = (period: string, civil: number, administrative: number, time = at('2024-10-08'), source = 'ly-court') =>
  ev(source, 'court.filings_reported', { period, civilFirstInstance: civil, administrativeFirstInstance: administrative }, time);
const fact = (event: ReturnType<typeof filings>, subject = `filings-${(event.data as { period: string }).period}`): PublishedFact => ({
  id: `f-${subject}-${event.time}`,
  source: agency(event.source!),
  type: event.type,
  subject,
  time: event.time,
  data: event.data as Record<string, unknown>,
});
const published = (event: ReturnType<typeof filings>, subject?: string) => (): StatsCommand => toCommand(fact(event, subject), ctx) as StatsCommand;

describe('statistics stream: court.filings_reported', () => {
  it('is stored in the reporting court’s statistics stream, whatever its subject', () => {
    expect(routeOf(fact(filings('2024Q3', 812, 64)))).to.deep.equal({ streamId: 'stats-ly-court', kind: 'stats' });
    expect(routeOf(fact(filings('2024Q3', 40, 0, at('2024-10-08'), 'ly-court-ls')))).to.deep.equal({ streamId: 'stats-ly-court-ls', kind: 'stats' });
  });

  describe('given no report yet', () => {
    it('accepts a report of a quarter', () => {
      given([]).when(published(filings('2024Q3', 812, 64))).then([filings('2024Q3', 812, 64)]);
    });

    it('accepts a report during the quarter it counts', () => {
      given([]).when(published(filings('2024Q4', 100, 3, at('2024-11-15')))).then([filings('2024Q4', 100, 3, at('2024-11-15'))]);
    });

    it('rejects a subject that is not filings-<period>', () => {
      given([]).when(published(filings('2024Q3', 812, 64), 'filings-2024Q2')).thenRejects('invalid_data', /filings-2024Q3/);
    });

    it('rejects a quarter that has not begun', () => {
      given([]).when(published(filings('2025Q1', 1, 1, at('2024-12-31')))).thenRejects('invalid_transition', /尚无收案/);
    });

    it('rejects a period that is not a quarter', () => {
      given([]).when(published(filings('2024-09', 1, 1), 'filings-2024-09')).thenRejects('invalid_data');
    });

    it('rejects negative or fractional counts', () => {
      given([]).when(published(filings('2024Q3', -1, 0))).thenRejects('invalid_data');
      given([]).when(published(filings('2024Q3', 1.5, 0))).thenRejects('invalid_data');
    });

    it('rejects a procuratorate publishing it', () => {
      const event = filings('2024Q3', 1, 1, at('2024-10-08'), 'ly-proc');
      given([]).when(() => ({ type: 'ReportFilings', subject: 'filings-2024Q3', by: agency('ly-proc'), time: event.time, data: event.data }) as StatsCommand).thenRejects('unauthorized');
    });
  });

  describe('given a report of the quarter', () => {
    const REPORTED = [filings('2024Q3', 812, 64)];

    it('accepts a later report of the same quarter, which replaces the earlier', () => {
      const corrected = filings('2024Q3', 815, 64, at('2024-10-15'));
      given(REPORTED).when(published(corrected)).then([corrected]);
      const state = fold(statsDecider, [...REPORTED, corrected]);
      expect(state.filings['2024Q3']).to.deep.equal({ period: '2024Q3', civilFirstInstance: 815, administrativeFirstInstance: 64, reportedAt: at('2024-10-15'), reportedBy: 'ly-court' });
    });

    it('keeps the quarters apart', () => {
      const state = fold(statsDecider, [...REPORTED, filings('2024Q2', 790, 58, at('2024-10-09'))]);
      expect(Object.keys(state.filings).sort()).to.deep.equal(['2024Q2', '2024Q3']);
    });
  });
});
