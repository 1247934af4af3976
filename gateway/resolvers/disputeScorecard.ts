import type { IsoDate } from '../../domain/deadlines/index.js';
import type { ReadModelStore } from '../../ports/readModelStore.js';
import {
  DISPUTE_ROW_INDEX,
  DISPUTE_SCORECARD,
  DisputeColumn,
  disputeScorecardBounds,
  prefixRange,
  rowPrefix,
  type DisputeScorecardCounts,
} from '../../projections/scorecard/disputeScorecard.projection.js';

/**
 * The revision-2 dispute and rectification columns of a scorecard row (graphql.md AgencyScorecard), read from
 * projections/scorecard/disputeScorecard: range counts, and the loss amounts summed from the values of the lost column.
 */
/** The sum of the loss amounts of the disputes lost in the row (yuan): read from the values of the `dl` column. */
export async function disputeLossAmount(rm: ReadModelStore, agency: string, quarter: string): Promise<number> {
  const prefix = `${rowPrefix(agency, quarter)}${DisputeColumn.lost}|`;
  let sum = 0;
  let after: { value: string; id: string } | null = null;
  do {
    const page = await rm.findRange(DISPUTE_SCORECARD, DISPUTE_ROW_INDEX, { ...prefixRange(prefix), after, limit: 500 });
    for (const { value } of page.entries) {
      const amount = Number(value.slice(prefix.length));
      if (value.length > prefix.length && Number.isFinite(amount)) sum += amount;
    }
    after = page.next;
  } while (after !== null);
  return sum;
}

/** The dispute columns of one agency's row in one quarter (graphql.md AgencyScorecard, revision 2). */
export async function disputeScorecardRow(rm: ReadModelStore, agency: string, quarter: string, today: IsoDate) {
  const bounds = Object.entries(disputeScorecardBounds(agency, quarter, today));
  const [counts, disputeLossAmountSum] = await Promise.all([
    Promise.all(bounds.map(([, b]) => rm.countRange(DISPUTE_SCORECARD, DISPUTE_ROW_INDEX, b))),
    disputeLossAmount(rm, agency, quarter),
  ]);
  const c = Object.fromEntries(bounds.map(([column], i) => [column, counts[i]!])) as DisputeScorecardCounts;
  return { ...c, disputeLossAmount: disputeLossAmountSum };
}
