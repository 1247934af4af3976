/**
 * 社区矫正 monitoring (revision 2): the one definition of "报到逾期" (漏管风险) and "脱管" that the attention list, the
 * scorecard and the case read. A small fact sheet folded from a case's events — what those read models keep per case
 * instead of the whole case state — and the rules over it.
 */
import { chinaDate, compareDates, computeDueDate, OFFENDER_REPORT, type IsoDate, type WorkingDayCalendar } from '../deadlines/index.js';
import { openAbscondment, type CaseEventInput, type ExistingCase } from './case.js';

export interface CorrectionFacts {
  /** judgments that ordered community correction: id → issue time, effective date, court */
  readonly judgments: Readonly<Record<string, { readonly issuedAt: string; readonly effectiveAt: IsoDate | null; readonly court: string }>>;
  /** the earliest community_correction handoff (社区矫正交付): its receiver is the 社区矫正机构 that supervises */
  readonly delivery: { readonly requestedAt: string; readonly to: string } | null;
  /** correction.reported (报到) */
  readonly reportedAt: string | null;
  /** the open 脱管 (correction.absconded not yet followed by correction.located) */
  readonly abscondedAt: string | null;
}

export const noCorrectionFacts: CorrectionFacts = Object.freeze({ judgments: {}, delivery: null, reportedAt: null, abscondedAt: null });

/** the case event types that change the correction facts */
export const CORRECTION_FACT_TYPES = [
  'judgment.issued',
  'judgment.effective',
  'handoff.requested',
  'correction.reported',
  'correction.absconded',
  'correction.located',
] as const;

/**
 * The facts after one case event, as evolveCase reads the same event (the decider has accepted it); the same object
 * when the event changes nothing here.
 */
export function evolveCorrectionFacts(facts: CorrectionFacts, event: CaseEventInput): CorrectionFacts {
  const d = event.data as Record<string, unknown>;
  switch (event.type) {
    case 'judgment.issued':
      if (d.communityCorrection !== true) return facts;
      return {
        ...facts,
        judgments: { ...facts.judgments, [d.judgmentId as string]: { issuedAt: event.time, effectiveAt: (d.effectiveAt as IsoDate | undefined) ?? null, court: event.source ?? '' } },
      };
    case 'judgment.effective': {
      const judgment = facts.judgments[d.judgmentId as string];
      if (!judgment) return facts;
      return { ...facts, judgments: { ...facts.judgments, [d.judgmentId as string]: { ...judgment, effectiveAt: d.effectiveAt as IsoDate } } };
    }
    case 'handoff.requested':
      if (d.purpose !== 'community_correction') return facts;
      if (facts.delivery !== null && Date.parse(facts.delivery.requestedAt) <= Date.parse(event.time)) return facts;
      return { ...facts, delivery: { requestedAt: event.time, to: d.to as string } };
    case 'correction.reported':
      return facts.reportedAt !== null ? facts : { ...facts, reportedAt: event.time };
    case 'correction.absconded':
      return facts.abscondedAt !== null ? facts : { ...facts, abscondedAt: event.time };
    case 'correction.located':
      return facts.abscondedAt === null ? facts : { ...facts, abscondedAt: null };
    default:
      return facts;
  }
}

/** The facts of a case from its whole state (the demo city, tests): the same as folding its events. */
export function correctionFactsOfCase(s: ExistingCase): CorrectionFacts {
  const judgments: Record<string, CorrectionFacts['judgments'][string]> = {};
  for (const j of Object.values(s.judgments)) if (j.communityCorrection) judgments[j.id] = { issuedAt: j.issuedAt, effectiveAt: (j.effectiveAt as IsoDate | null) ?? null, court: j.issuedBy };
  const first = Object.values(s.handoffs)
    .filter((h) => h.purpose === 'community_correction')
    .sort((a, b) => Date.parse(a.requestedAt) - Date.parse(b.requestedAt))[0];
  return {
    judgments,
    delivery: first ? { requestedAt: first.requestedAt, to: first.to } : null,
    reportedAt: s.correctionReportedAt,
    abscondedAt: openAbscondment(s)?.abscondedAt ?? null,
  };
}

/**
 * The day the community-correction clocks count from (社区矫正法 Art. 20–21): the judgment's effective date, or — for a
 * judgment whose effective date is not published (revision 1) — its day of issue (docs/decisions.md).
 */
export const correctionClockStart = (judgment: { readonly issuedAt: string; readonly effectiveAt: string | null }): IsoDate =>
  (judgment.effectiveAt as IsoDate | null) ?? chinaDate(judgment.issuedAt);

const latestJudgment = (facts: CorrectionFacts) =>
  Object.values(facts.judgments).reduce<CorrectionFacts['judgments'][string] | null>((latest, j) => (latest === null || Date.parse(j.issuedAt) >= Date.parse(latest.issuedAt) ? j : latest), null);

/** The offender's 报到 due date while not reported; null once reported or without a community-correction judgment. */
export function offenderReportDue(facts: CorrectionFacts, calendar: WorkingDayCalendar): IsoDate | null {
  const judgment = latestJudgment(facts);
  if (judgment === null || facts.reportedAt !== null) return null;
  return computeDueDate({ start: correctionClockStart(judgment), period: OFFENDER_REPORT, calendar }).dueDate;
}

/**
 * The 社区矫正机构 answerable for the person: the receiver of the first 社区矫正交付 — until the files are sent, the court
 * that ordered it (the offender_report clock's owner, domain/clocks/runningClocks.ts). Null without a judgment ordering it.
 */
export function correctionAgency(facts: CorrectionFacts, fallback: string | null = null): string | null {
  return facts.delivery?.to ?? latestJudgment(facts)?.court ?? fallback;
}

/** 报到逾期（漏管风险）on `today`: the report was due before today and has not come. */
export const correctionUnreported = (reportDue: IsoDate | null, today: IsoDate): boolean => reportDue !== null && compareDates(today, reportDue) > 0;

/** 脱管 now: reported, then out of contact, not located since. */
export const correctionAbsconded = (facts: Pick<CorrectionFacts, 'abscondedAt'>): boolean => facts.abscondedAt !== null;

