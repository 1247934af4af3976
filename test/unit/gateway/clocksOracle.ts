/**
 * The `clocks` answer computed the old way, as the oracle of clocksEquivalence.spec.ts: every case document the
 * caller may see (the `cases` projection: Case.deadlines and the handoffs' clocks, folded from the whole case) and
 * every meeting's action items, each filtered by the visibility module's rule for its thing, sorted and filtered
 * in memory. Working days are counted here day by day, independently of the resolver's range arithmetic.
 */
import { caseClockOwner, clockKindOfName, handoffClockName, type CaseLevelClock, type ClockFacts, type ClockKind } from '../../../domain/clocks/runningClocks.js';
import { rectificationParties, rectificationsOf } from '../../../domain/cases/case.js';
import { addDays, type IsoDate, type WorkingDayCalendar } from '../../../domain/deadlines/index.js';
import type { GatewayContext } from '../../../gateway/context.js';
import { wholeCases } from './wholeCases.js';
import { visibilityOf } from '../../../gateway/readSide/visibility.js';
import { CASES, type CaseDoc } from '../../../projections/cases/cases.projection.js';
import { MEETINGS, type MeetingDoc } from '../../../projections/meetings/meetings.projection.js';

export interface OracleClock {
  id: string;
  kind: ClockKind;
  name: string;
  caseId: string | null;
  owner: string;
  dueDate: IsoDate | null;
  dueDateProvisional: boolean;
  overdue: boolean;
  daysLeft: number | null;
}

export interface OracleArgs {
  agency?: string | null;
  kind?: ClockKind | null;
  dueWithinDays?: number | null;
  overdue?: boolean | null;
}

/** working days after `from` up to and including `to` */
const workingDaysAfter = (from: IsoDate, to: IsoDate, cal: WorkingDayCalendar): number => {
  let n = 0;
  for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) if (cal.isWorkingDay(d)) n++;
  return n;
};

export async function oracleClocks(ctx: GatewayContext, args: OracleArgs): Promise<OracleClock[]> {
  const rm = ctx.services.readModels;
  const cal = ctx.services.deadlines.calendar;
  const today = ctx.today;
  const visibility = visibilityOf(ctx);
  const all: (Omit<OracleClock, 'overdue' | 'daysLeft'> & { caseSeen: boolean })[] = [];

  const caseDocs = await wholeCases(ctx, (await rm.getMany<CaseDoc>(CASES, await rm.listIds(CASES))).filter((d): d is CaseDoc => d !== null));
  for (const doc of caseDocs) {
    const state = doc.state;
    const caseSeen = visibility.case(state);
    for (const handoff of Object.values(state.handoffs)) {
      const d = doc.handoffDeadlines[handoff.id];
      if (!d || d.stoppedAt !== null || !visibility.handoff(handoff)) continue;
      const name = handoffClockName(handoff);
      all.push({ id: `${state.id}:${name}`, kind: 'HANDOFF', name, caseId: state.id, owner: handoff.to, dueDate: d.dueDate, dueDateProvisional: d.provisional, caseSeen });
    }
    for (const d of doc.deadlines) {
      if (d.stoppedAt !== null) continue;
      let owner: string;
      let seen: boolean;
      if (d.name.startsWith('suggestion_reply:')) {
        const s = state.suggestions[d.name.slice('suggestion_reply:'.length)]!;
        owner = s.to;
        seen = visibility.suggestion(s);
      } else if (d.name.startsWith('notice_ack:')) {
        const [, noticeId, agencyId] = d.name.split(':');
        owner = agencyId!;
        seen = visibility.notice(state.copyNotices[noticeId!]!);
      } else if (d.name.startsWith('rectification:')) {
        // 整改: the duty of the agency it is addressed to, seen by who ordered it and who must act (as the projection's)
        const r = rectificationsOf(state)[d.name.slice('rectification:'.length)]!;
        owner = r.to;
        seen = await visibility.clock({ visibleTo: rectificationParties(r), kind: 'RECTIFICATION', caseId: state.id } as ClockFacts);
      } else {
        owner = caseClockOwner(d.name as CaseLevelClock, state);
        seen = caseSeen;
      }
      if (!seen) continue;
      all.push({ id: `${state.id}:${d.name}`, kind: clockKindOfName(d.name), name: d.name, caseId: state.id, owner, dueDate: d.dueDate, dueDateProvisional: d.provisional, caseSeen });
    }
  }

  const meetings = (await rm.getMany<MeetingDoc>(MEETINGS, await rm.listIds(MEETINGS))).filter((d): d is MeetingDoc => d !== null);
  for (const meeting of meetings) {
    for (const item of meeting.state.actionItems) {
      if (item.completedAt !== null || (await visibility.actionItem(item)) === null) continue;
      all.push({
        id: item.actionId,
        kind: 'ACTION_ITEM',
        name: 'action_item',
        caseId: item.caseId,
        owner: item.owner,
        dueDate: item.dueDate,
        dueDateProvisional: false,
        caseSeen: item.caseId !== null && (await visibility.caseId(item.caseId)),
      });
    }
  }

  const shown = all.map(({ caseSeen, ...c }) => ({
    ...c,
    caseId: caseSeen ? c.caseId : null,
    overdue: c.dueDate !== null && today > c.dueDate,
    daysLeft: c.dueDate === null ? null : c.dueDate >= today ? workingDaysAfter(today, c.dueDate, cal) : -Math.max(1, workingDaysAfter(c.dueDate, today, cal)),
  }));
  return shown
    .filter((c) => !args.agency || c.owner === args.agency)
    .filter((c) => !args.kind || c.kind === args.kind)
    .filter((c) => args.overdue === null || args.overdue === undefined || c.overdue === args.overdue)
    .filter((c) => args.dueWithinDays === null || args.dueWithinDays === undefined || (!c.overdue && c.daysLeft !== null && c.daysLeft <= args.dueWithinDays))
    .sort((a, b) => {
      const ka = `${a.dueDate ?? '9999-99-99'}|${a.id}`;
      const kb = `${b.dueDate ?? '9999-99-99'}|${b.id}`;
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
}
