/**
 * 诉源治理 in the townships (两所一庭): a 派出所 passes a dispute it was called to (警调对接), or a 人民法庭 a dispute
 * brought to it before suit (诉调对接), to the township's 司法所 for people's mediation (dispute_referral: 15 days from
 * receipt). The 司法所 mediates, fails, or sends the parties to court. And the courts' quarterly 收案统计
 * (court.filings_reported), the denominators of the 诉前分流率 and the 万人起诉率.
 */
import { districtBench } from '../jurisdiction.js';
import { COURT, DISTRICTS, company, people, person, type District } from '../names.js';
import { chinaDay, chinaTime } from '../plan.js';
import { caseIdOf, courtCaseNumber, doc, numberFor, type DemoContext } from './context.js';

export type ReferralOutcome = 'mediated' | 'failed' | 'referred_to_litigation' | 'open';

export interface ReferralOptions {
  readonly district: District;
  /** who passes it on: the 派出所 (警调) or the 人民法庭 (诉调) */
  readonly from: 'police' | 'court';
  readonly outcome: ReferralOutcome;
}

const POLICE_DISPUTES = ['相邻通行纠纷', '宅基地边界纠纷', '邻里噪音纠纷', '家庭赡养纠纷', '车辆剐蹭赔偿纠纷'];
const COURT_DISPUTES = ['土地承包经营权纠纷', '民间借贷纠纷', '农村房屋买卖合同纠纷', '雇员受害赔偿纠纷'];

export function townshipReferral(ctx: DemoContext, start: number, options: ReferralOptions): void {
  const { rng, time } = ctx;
  const { district } = options;
  const town = district.township;
  const from = options.from === 'police' ? town.police : town.court;
  const bench = districtBench(district);
  // a 人民法庭 numbers in its court's 诉前调 series; a 派出所's 警情 has no 案号 on the platform
  const no = options.from === 'court' ? numberFor(ctx, `${bench.courtCode}民诉前调`, start) : numberFor(ctx, `jingtiao-${town.police}`, start);
  const id = caseIdOf(options.from === 'court' ? `${bench.idPrefix}-suqian` : `${district === DISTRICTS[0] ? 'ylqs' : 'ylj'}pcs-jingtiao`, no);
  const cause = rng.pick(options.from === 'police' ? POLICE_DISPUTES : COURT_DISPUTES);
  const [a, b] = people(rng, 2);
  const employer = cause === '雇员受害赔偿纠纷';
  const other = employer ? company(rng, '建筑劳务') : b!;
  const c = ctx.plan.newCase(id, from);
  let t = c.add(start, from, 'case.registered', {
    kind: 'civil_dispute',
    title: `${a}与${other}${cause}`,
    ...(options.from === 'court' ? { caseNumber: courtCaseNumber(bench.courtCode, '民诉前调', no) } : {}),
    parties: [
      { name: a!, role: 'plaintiff', type: 'person' },
      { name: other, role: 'defendant', type: employer ? 'private_enterprise' : 'person' },
    ],
  });
  const handoffId = `${id}-h1`;
  t = c.add(time.afterMinutes(t, 30, 180), from, 'handoff.requested', {
    handoffId,
    to: town.justice,
    purpose: 'dispute_referral',
    documents: [doc(ctx, options.from === 'police' ? '警情处置记录' : '诉前引导登记表'), doc(ctx, '当事人同意调解确认书')],
    note:
      options.from === 'police'
        ? `${person(rng)}报警称与邻居发生纠纷，民警到场处置后，经双方同意移交${town.name}人民调解委员会调解（警调对接）。`
        : `当事人到${town.name}人民法庭起诉，经诉前引导同意先行调解，移交${town.name}司法所组织调解（诉调对接）。`,
  });
  const received = c.add(time.afterWorkdays(t, rng.int(0, 1)), town.justice, 'handoff.received', { handoffId });
  if (options.outcome === 'open') return c.commit();
  const done = c.add(time.afterDays(received, rng.int(4, 13)), town.justice, 'handoff.completed', { handoffId, outcome: options.outcome });
  c.add(time.afterWorkdays(done, rng.int(1, 3)), from, 'case.closed', {
    outcome: options.outcome === 'mediated' ? 'resolved_substantively' : 'other',
    note:
      options.outcome === 'mediated'
        ? '经司法所人民调解员调解，双方达成人民调解协议并当场履行。'
        : options.outcome === 'failed'
          ? '调解不成，已告知当事人可依法提起诉讼。'
          : '当事人坚持诉讼，已引导其到人民法庭立案。',
  });
  c.commit();
}

/** quarterly 收案统计 of each court: first-instance civil and administrative cases (counts of the whole court) */
const FILINGS: Readonly<Record<string, { readonly civil: readonly [number, number]; readonly administrative: readonly [number, number] }>> = {
  [COURT]: { civil: [60, 95], administrative: [14, 26] },
  [DISTRICTS[0]!.court]: { civil: [1650, 2050], administrative: [45, 70] },
  [DISTRICTS[1]!.court]: { civil: [1120, 1420], administrative: [24, 40] },
};

/** Each court reports a quarter's filings on about the eighth working day after it ends, for the quarters that ended in the window. */
export function filingsReports(ctx: DemoContext, windowStart: number): void {
  const { rng, time, plan } = ctx;
  const quarterStart = (ms: number) => {
    const d = chinaDay(ms);
    return `${d.slice(0, 4)}-${String(Math.floor((Number(d.slice(5, 7)) - 1) / 3) * 3 + 1).padStart(2, '0')}-01`;
  };
  // the first day of every quarter after the window's start, up to today
  for (let q = quarterStart(windowStart); q <= time.today; ) {
    const nextQuarter = `${Number(q.slice(5, 7)) + 3 > 12 ? Number(q.slice(0, 4)) + 1 : q.slice(0, 4)}-${String(((Number(q.slice(5, 7)) + 2) % 12) + 1).padStart(2, '0')}-01`;
    if (nextQuarter <= time.today) {
      const period = `${q.slice(0, 4)}Q${Math.floor((Number(q.slice(5, 7)) - 1) / 3) + 1}`;
      let at = time.office(time.workday(nextQuarter));
      for (let i = 0; i < 7; i++) at = time.afterWorkdays(at, 1);
      for (const [court, range] of Object.entries(FILINGS)) {
        const ms = at + rng.int(0, 120) * 60_000;
        if (ms > time.now - 60_000) continue;
        plan.publish(ms, court, {
          specversion: '1.0',
          id: `${court}-filings-${period}`,
          source: court,
          type: 'court.filings_reported',
          subject: `filings-${period}`,
          time: chinaTime(ms),
          data: { period, civilFirstInstance: rng.int(...range.civil), administrativeFirstInstance: rng.int(...range.administrative) },
        });
      }
    }
    q = nextQuarter;
  }
}
