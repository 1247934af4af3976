/**
 * 诉前委派调解: a basic-level court (or its township 人民法庭) registers a pre-litigation civil dispute under its
 * 诉前调 number and entrusts it to a people's mediation committee through the district's justice bureau (or the
 * township's 司法所 — 两所一庭 联动); a mediated agreement goes back to the court for 司法确认. The 中级人民法院
 * hears no such first-instance disputes.
 */
import { districtBench } from '../jurisdiction.js';
import { QINGSHAN, company, people, person, type District } from '../names.js';
import type { Rng } from '../random.js';
import { caseIdOf, courtCaseNumber, doc, mistypedCaseId, numberFor, type DemoContext } from './context.js';

type Party = { name: string; role: 'plaintiff' | 'defendant'; type: 'person' | 'private_enterprise' | 'enterprise' };

interface CivilDispute {
  readonly cause: string;
  /** the committee the justice bureau assigns */
  readonly committee: string;
  parties(rng: Rng): [Party, Party];
}

const personParty = (name: string, role: Party['role']): Party => ({ name, role, type: 'person' });
const companyParty = (rng: Rng, industry: string, role: Party['role']): Party => ({ name: company(rng, industry), role, type: 'private_enterprise' });
const twoPeople = (rng: Rng): [Party, Party] => {
  const [a, b] = people(rng, 2);
  return [personParty(a!, 'plaintiff'), personParty(b!, 'defendant')];
};

const DISPUTES: readonly CivilDispute[] = [
  { cause: '买卖合同纠纷', committee: '云岭市商事纠纷调解中心', parties: (r) => [companyParty(r, '建材', 'plaintiff'), companyParty(r, '装饰工程', 'defendant')] },
  { cause: '民间借贷纠纷', committee: '{district}人民调解委员会', parties: twoPeople },
  { cause: '物业服务合同纠纷', committee: '云岭市物业纠纷人民调解委员会', parties: (r) => [companyParty(r, '物业服务', 'plaintiff'), personParty(person(r), 'defendant')] },
  { cause: '房屋租赁合同纠纷', committee: '{district}人民调解委员会', parties: (r) => [personParty(person(r), 'plaintiff'), companyParty(r, '餐饮管理', 'defendant')] },
  { cause: '机动车交通事故责任纠纷', committee: '云岭市道路交通事故纠纷人民调解委员会', parties: twoPeople },
  { cause: '追索劳动报酬纠纷', committee: '云岭市劳动争议人民调解委员会', parties: (r) => [personParty(person(r), 'plaintiff'), companyParty(r, '建筑劳务', 'defendant')] },
  { cause: '建设工程施工合同纠纷', committee: '云岭市商事纠纷调解中心', parties: (r) => [companyParty(r, '建筑劳务', 'plaintiff'), companyParty(r, '置业', 'defendant')] },
  { cause: '装饰装修合同纠纷', committee: '{district}人民调解委员会', parties: (r) => [personParty(person(r), 'plaintiff'), companyParty(r, '装饰工程', 'defendant')] },
  { cause: '相邻关系纠纷', committee: '{district}人民调解委员会', parties: twoPeople },
  {
    cause: '医疗损害责任纠纷',
    committee: '云岭市医疗纠纷人民调解委员会',
    parties: (r) => [personParty(person(r), 'plaintiff'), { name: `云岭市某${r.pick(['中医', '妇幼保健', '第二人民'])}医院`, role: 'defendant', type: 'enterprise' }],
  },
  { cause: '网络购物合同纠纷', committee: '云岭市消费纠纷人民调解委员会', parties: (r) => [personParty(person(r), 'plaintiff'), companyParty(r, '电子商务', 'defendant')] },
  { cause: '教育培训合同纠纷', committee: '{district}人民调解委员会', parties: (r) => [personParty(person(r), 'plaintiff'), companyParty(r, '教育咨询', 'defendant')] },
];

export type MediationVariant =
  /** mediated within 30 days, 司法确认 granted, closed */
  | 'mediated'
  /** mediated, but after the 30-day limit */
  | 'mediated_late'
  /** mediated, 司法确认 refused */
  | 'not_confirmed'
  /** mediation failed, the court dockets the suit */
  | 'failed'
  /** the bureau returns the entrustment for 补正, the court resends it, then mediated */
  | 'returned'
  /** the parties settle on their own; the court withdraws the entrustment */
  | 'withdrawn'
  /** received and never completed: overdue now */
  | 'overdue';

export interface MediationOptions {
  readonly variant: MediationVariant;
  /** the district whose basic-level court registers it; 青山区 if not said */
  readonly district?: District;
  /** registered by the township's 人民法庭 and entrusted to the township's 司法所 */
  readonly township?: boolean;
  /** the bureau's system first publishes its own type code (unknown_type), then the catalog one */
  readonly badUnknownType?: boolean;
  /** the court's first request lacks `purpose` (invalid_data), then it is resent */
  readonly badMissingPurpose?: boolean;
  /** the bureau's receipt first names a mistyped case id (unknown_case) */
  readonly badUnknownCase?: boolean;
  /** the bureau asks for an extension the purpose does not allow (invalid_transition) */
  readonly badExtension?: boolean;
}

export function mediationCase(ctx: DemoContext, start: number, options: MediationOptions): void {
  const { rng, time } = ctx;
  const district = options.district ?? QINGSHAN;
  const bench = districtBench(district);
  const COURT = options.township ? district.township.court : bench.court;
  const JUSTICE = options.township ? district.township.justice : district.justice;
  // a 人民法庭 numbers its cases in its court's series (it has no 案号 code of its own)
  const no = numberFor(ctx, `${bench.courtCode}民诉前调`, start);
  const id = caseIdOf(`${bench.idPrefix}-suqian`, no);
  const dispute = rng.pick(DISPUTES);
  const [plaintiff, defendant] = dispute.parties(rng);
  const committee = options.township ? `${district.township.name}人民调解委员会` : dispute.committee.replace('{district}', district.name);
  const c = ctx.plan.newCase(id, COURT);

  let t = c.add(start, COURT, 'case.registered', {
    kind: 'civil_dispute',
    title: `${plaintiff.name}与${defendant.name}${dispute.cause}`,
    caseNumber: courtCaseNumber(bench.courtCode, '民诉前调', no),
    parties: [plaintiff, defendant],
  });

  const request = (handoffId: string, previousHandoffId?: string) => ({
    handoffId,
    to: JUSTICE,
    purpose: 'entrusted_mediation',
    documents: [doc(ctx, '民事起诉状'), doc(ctx, '证据材料'), doc(ctx, '诉前调解告知书及当事人同意调解确认书')],
    note: `经当事人同意，委派${committee}进行诉前调解。`,
    ...(previousHandoffId ? { previousHandoffId } : {}),
  });

  let handoffId = `${id}-h1`;
  t = time.afterMinutes(t, 30, 150);
  if (options.badMissingPurpose) {
    const { purpose: _missing, ...withoutPurpose } = request(handoffId);
    c.bad(t, COURT, `bad-missing-purpose-${id}`, 'handoff.requested', withoutPurpose);
    t = time.afterMinutes(t, 20, 60);
  }
  t = c.add(t, COURT, 'handoff.requested', request(handoffId));

  if (options.variant === 'returned') {
    t = c.add(time.afterWorkdays(t, rng.int(1, 2)), JUSTICE, 'handoff.returned', {
      handoffId,
      reason: '委派材料缺少被告送达地址确认书及原告联系电话，无法通知当事人到场，请补正后重新委派。',
    });
    const previous = handoffId;
    handoffId = `${id}-h2`;
    t = c.add(time.afterWorkdays(t, rng.int(2, 4)), COURT, 'handoff.requested', request(handoffId, previous));
  }

  t = time.afterWorkdays(t, rng.int(0, 2));
  if (options.badUnknownCase) {
    c.bad(t, JUSTICE, `bad-unknown-case-${id}`, 'handoff.received', { handoffId }, { subject: mistypedCaseId(id) });
    t = time.afterMinutes(t, 20, 90);
  }
  const received = c.add(t, JUSTICE, 'handoff.received', { handoffId });

  const complete = (days: number, outcome: 'mediated' | 'failed'): number => {
    const at = time.afterDays(received, days);
    if (options.badUnknownType) {
      c.bad(at - 40 * 60_000, JUSTICE, `bad-unknown-type-${id}`, 'mediation.completed', { handoffId, result: outcome === 'mediated' ? '调解成功' : '调解不成' });
    }
    return c.add(at, JUSTICE, 'handoff.completed', { handoffId, outcome });
  };

  switch (options.variant) {
    case 'overdue':
      if (options.badExtension) {
        c.bad(time.afterDays(received, rng.int(24, 28)), JUSTICE, `bad-extension-${id}`, 'handoff.extended', {
          // 重大复杂 is not a ground for 委派调解 (only 当事人同意延长): invalid_transition
          handoffId,
          ground: 'major_complex',
          approvedBy: '区司法局分管副局长',
        });
      }
      return c.commit();
    case 'withdrawn': {
      const w = c.add(time.afterDays(received, rng.int(5, 12)), COURT, 'handoff.withdrawn', {
        handoffId,
        reason: '双方当事人已自行达成和解协议，原告申请撤回诉前调解。',
      });
      c.add(time.afterWorkdays(w, rng.int(1, 3)), COURT, 'case.closed', { outcome: 'withdrawn', note: '当事人自行和解，原告撤回起诉材料。' });
      return c.commit();
    }
    case 'failed': {
      const done = complete(rng.int(14, 28), 'failed');
      c.add(time.afterWorkdays(done, rng.int(1, 4)), COURT, 'case.closed', { outcome: 'other', note: '诉前调解不成，已依法登记立案，转入诉讼程序。' });
      return c.commit();
    }
    default: {
      const done = complete(options.variant === 'mediated_late' ? rng.int(32, 38) : rng.int(7, 26), 'mediated');
      const granted = options.variant !== 'not_confirmed';
      const confirmed = c.add(time.afterWorkdays(done, rng.int(2, 6)), COURT, 'judicial_confirmation.decided', { granted });
      c.add(
        time.afterWorkdays(confirmed, rng.int(1, 3)),
        COURT,
        'case.closed',
        granted
          ? { outcome: 'resolved_substantively', note: '经诉前调解达成调解协议，已裁定确认调解协议有效。' }
          : { outcome: 'other', note: '调解协议部分内容损害案外人利益，裁定驳回司法确认申请，当事人可另行起诉。' },
      );
      return c.commit();
    }
  }
}
