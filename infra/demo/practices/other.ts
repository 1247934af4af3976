/**
 * Smaller practices: 行政公益诉讼 诉前检察建议, 涉党政机关和国有企业法律纠纷 备案 (the major ones go to the
 * liaison meeting), and 信息通报 between the court and the departments (litigation risk warnings, 欠薪 alerts).
 */
import { AGENCY_NAMES, AGENCY_SHORT, GOV, HOUSING, HRSS, LINJIANG, MARKET, PROC, QINGSHAN, RESOURCES, company, districtOf, justiceFor, people, person } from '../names.js';
import { caseIdOf, doc, numberFor, type DemoContext } from './context.js';
import { chinaDay } from '../plan.js';

// ---------------------------------------------------------------------------------------------
// 行政公益诉讼: the procuratorate's pre-litigation suggestion to the department that should act

export interface PublicInterestMatter {
  readonly to: string;
  readonly title: string;
  readonly thirdParty: string;
  readonly summary: string;
  readonly reply: string;
  readonly urgent: boolean;
}

export const PUBLIC_INTEREST_MATTERS: readonly PublicInterestMatter[] = [
  {
    to: RESOURCES,
    title: '督促保护耕地行政公益诉讼案',
    thirdParty: '农业开发',
    summary: '经查，{third}在石门县某村非法占用永久基本农田12.6亩建设仓储设施，建议依法履行耕地保护监管职责，责令其限期拆除地上建筑物并恢复种植条件。',
    reply: '已对当事人立案查处，责令拆除违法建筑物1,860平方米，被占用耕地已完成复垦并通过验收。',
    urgent: false,
  },
  {
    to: MARKET,
    title: '督促整治校园周边食品安全行政公益诉讼案',
    thirdParty: '商贸',
    summary: '经查，临江区多所中小学校园周边商户销售无生产日期、无质量合格证明的"三无"辣条等食品，{third}系主要供货商，建议立即开展校园周边食品安全专项整治。',
    reply: '已开展为期一个月的校园周边食品安全专项整治，检查商户214家，下架"三无"食品1,300余件，立案查处4家。',
    urgent: true,
  },
  {
    to: HOUSING,
    title: '督促整治城镇燃气安全隐患行政公益诉讼案',
    thirdParty: '餐饮管理',
    summary: '经查，青山区老旧小区沿街餐饮场所普遍存在瓶装液化气使用不规范、未安装可燃气体报警装置等重大安全隐患，涉及{third}等12家经营者，建议立即依法督促整改。',
    reply: '已联合属地街道对沿街餐饮场所逐户排查，督促安装报警装置156台，对拒不整改的3家依法立案。',
    urgent: true,
  },
  {
    to: HRSS,
    title: '督促追缴欠缴社会保险费行政公益诉讼案',
    thirdParty: '物流',
    summary: '经查，{third}长期未为87名职工足额缴纳社会保险费，建议依法履行社会保险费征缴监督职责。',
    reply: '该企业社会保险费已划转税务部门征收，本局已将线索移送税务部门并督促企业补缴，暂未完全整改到位。',
    urgent: false,
  },
  {
    to: GOV,
    title: '督促保护历史文化街区行政公益诉讼案',
    thirdParty: '置业',
    summary: '经查，{third}在老城历史文化街区核心保护范围内擅自拆除传统风貌建筑2处，建议依法组织查处并督促恢复原状。',
    reply: '市政府已责成属地区政府和市自然资源和规划局立案查处，责令当事人按原貌修缮，并启动历史文化街区保护规划修编。',
    urgent: false,
  },
];

export interface PublicInterestOptions {
  readonly matter: PublicInterestMatter;
  readonly reply: 'adopted' | 'not_adopted' | 'none';
}

export function publicInterestCase(ctx: DemoContext, start: number, options: PublicInterestOptions): void {
  const { rng, time } = ctx;
  const { matter } = options;
  const no = numberFor(ctx, '岭检行公立', start);
  const { n, year } = no;
  const id = caseIdOf('yljcy-gongyi', no);
  const third = company(rng, matter.thirdParty);
  const c = ctx.plan.newCase(id, PROC);
  const t = c.add(start, PROC, 'case.registered', {
    kind: 'public_interest',
    title: matter.title,
    caseNumber: `岭检行公立〔${year}〕${n}号`,
    parties: [
      { name: AGENCY_NAMES[matter.to]!, role: 'respondent', type: 'agency' },
      { name: third, role: 'third_party', type: 'private_enterprise' },
    ],
  });
  const issued = c.add(time.afterDays(t, rng.int(8, 20)), PROC, 'suggestion.issued', {
    suggestionId: `${id}-s1`,
    to: matter.to,
    category: 'public_interest',
    summary: matter.summary.replace('{third}', third),
    ...(matter.urgent ? { urgent: true } : {}),
  });
  // revision 2: the reply clock runs from the issuer's service (送达回证)
  c.add(issued + 2 * 3_600_000, PROC, 'suggestion.served', { suggestionId: `${id}-s1`, servedAt: chinaDay(issued) });
  if (options.reply === 'none') return c.commit();
  const adopted = options.reply === 'adopted';
  const replied = c.add(time.afterDays(issued, matter.urgent ? rng.int(8, 13) : rng.int(35, 55)), matter.to, 'suggestion.replied', {
    suggestionId: `${id}-s1`,
    adopted,
    summary: matter.reply,
  });
  c.add(time.afterDays(replied, rng.int(15, 30)), PROC, 'case.closed', {
    outcome: adopted ? 'resolved_substantively' : 'other',
    note: adopted ? '经跟进调查，行政机关已依法全面履职，公益受损状态已消除，终结审查。' : '行政机关未全面整改，拟依法提起行政公益诉讼。',
  });
  c.commit();
}

// ---------------------------------------------------------------------------------------------
// 涉党政机关、国有企业法律纠纷 备案

export interface GovernmentDisputeOptions {
  readonly major: boolean;
  readonly cause: string;
  /** the private counterparty's industry */
  readonly counterparty: string;
  readonly amount: string;
  /** the same amount in yuan (the 备案 field `amount`) */
  readonly yuan: number;
  /** 谁主管、谁负责: the department that files (备案) the dispute — the party itself, or the 主管单位 of the state enterprise that is */
  readonly responsible: string;
  /** the state enterprise that is the party and handles the suit (承办单位); absent: the responsible department is the party */
  readonly stateEnterprise?: string;
  /** settled and closed after this many days */
  readonly resolvedAfterDays?: number;
  /** the suit was served this many days before the department filed (default 2: within the 5-working-day 备案 period) */
  readonly servedDaysBefore?: number;
  /** 会商研判 held by the justice bureau with the department and the court, this many days after filing (one each) */
  readonly consultedAfterDays?: readonly number[];
  /** judged against the department this many days after filing, with the loss in yuan: 责任倒查 and 以案促管整改 follow */
  readonly lost?: { readonly afterDays: number; readonly partially: boolean; readonly lossYuan: number; readonly finding: string; readonly measures: string };
}

/** 以案促管: what the justice bureau orders the department that lost to put right, and what it reports back */
const RECTIFICATIONS: readonly { readonly summary: string; readonly done: string | null }[] = [
  {
    summary: '针对合同履约管理中暴露的问题，修订本单位合同管理办法，建立重大合同履约跟踪台账，并报送整改情况。',
    done: '已修订《合同管理办法》并印发执行，建立重大合同履约跟踪台账，对在履行的23份重大合同逐一开展风险排查。',
  },
  { summary: '组织合同管理和法律事务人员开展专题培训，对近三年签订的同类合同开展合法性审查“回头看”。', done: null },
];

/** 备案 file-number prefixes of the filing departments (岭自然资法备〔2026〕3号) */
const FILING_PREFIX: Readonly<Record<string, readonly [string, string]>> = {
  [RESOURCES]: ['岭自然资', 'ylzrzy-beian'],
  [HOUSING]: ['岭住建', 'ylzj-beian'],
  [GOV]: ['岭府', 'ylzf-beian'],
  [QINGSHAN.gov]: ['青政', 'ylqszf-beian'],
  [LINJIANG.gov]: ['临政', 'yljzf-beian'],
};

/**
 * 涉党政机关、国有企业法律纠纷 备案: the responsible department registers the dispute (as the party, or as the 主管单位
 * of the state enterprise that is) and files it with the justice bureau of its level; a major one is also made known to
 * the court that will hear it (府院沟通) — a basic-level court: these contract suits are below the 中级人民法院's
 * first-instance threshold.
 */
export function governmentDisputeCase(ctx: DemoContext, start: number, options: GovernmentDisputeOptions): void {
  const { rng, time } = ctx;
  const responsible = options.responsible;
  const [prefix, idPrefix] = FILING_PREFIX[responsible] ?? ['岭府', 'ylzf-beian'];
  const no = numberFor(ctx, `${prefix}法备`, start);
  const { n, year } = no;
  const id = caseIdOf(idPrefix, no);
  const party = options.stateEnterprise ?? AGENCY_NAMES[responsible]!;
  const counterparty = company(rng, options.counterparty);
  const justice = justiceFor(responsible);
  const court = districtOf(responsible).court;
  const c = ctx.plan.newCase(id, responsible);
  let t = c.add(start, responsible, 'case.registered', {
    kind: 'government_dispute',
    title: `${counterparty}与${party}${options.cause}（${options.amount}）`,
    caseNumber: `${prefix}法备〔${year}〕${n}号`,
    parties: [
      { name: counterparty, role: 'plaintiff', type: 'private_enterprise' },
      { name: party, role: 'defendant', type: options.stateEnterprise ? 'state_enterprise' : 'agency' },
    ],
    ...(options.major ? { major: true } : {}),
    // revision 2 备案 fields (events.md): 主管单位 — the department that files —, 承办单位 (the state enterprise that is
    // the party), 标的额 in yuan, and the day the suit was served
    responsibleAgencyId: responsible,
    ...(options.stateEnterprise ? { handlingUnit: options.stateEnterprise } : {}),
    amount: options.yuan,
    arisenAt: time.dateAfter(start, -(options.servedDaysBefore ?? 2)),
  });
  t = c.add(time.afterWorkdays(t, rng.int(1, 3)), responsible, 'handoff.requested', {
    handoffId: `${id}-h1`,
    to: justice,
    purpose: 'information_notice',
    documents: [doc(ctx, options.major ? '重大法律纠纷案件备案报告' : '法律纠纷案件备案表'), doc(ctx, '起诉状及证据材料')],
    note: options.major ? `本案标的额大、涉及重点项目建设，请${AGENCY_SHORT[justice] ?? AGENCY_NAMES[justice]}提前介入，研究诉前化解方案。` : '按规定报备。',
  });
  t = c.add(time.afterWorkdays(t, rng.int(0, 2)), justice, 'handoff.received', { handoffId: `${id}-h1` });
  c.add(time.afterWorkdays(t, rng.int(1, 4)), justice, 'handoff.completed', { handoffId: `${id}-h1`, outcome: 'acknowledged' });
  if (options.major) {
    // 府院沟通: the department tells the court early, so the suit can be steered to mediation
    const told = c.add(time.afterWorkdays(t, rng.int(3, 8)), responsible, 'handoff.requested', {
      handoffId: `${id}-h2`,
      to: court,
      purpose: 'information_notice',
      documents: [doc(ctx, '府院沟通函')],
      note: `本案涉及市重点项目，请${AGENCY_SHORT[court] ?? AGENCY_NAMES[court]}在立案前引导当事人优先选择诉前调解。`,
    });
    const got = c.add(time.afterWorkdays(told, rng.int(0, 2)), court, 'handoff.received', { handoffId: `${id}-h2` });
    c.add(time.afterWorkdays(got, rng.int(1, 3)), court, 'handoff.completed', { handoffId: `${id}-h2`, outcome: 'acknowledged' });
  }
  // 会商研判: the justice bureau, the department and the court that will hear it weigh the case together
  (options.consultedAfterDays ?? []).forEach((days, i) => {
    c.add(time.afterDays(start, days), justice, 'dispute.consulted', {
      opinion:
        i === 0
          ? `经会商研判，${party}一方存在违约风险，建议主动与对方协商，在诉讼中积极举证，同时准备调解方案。`
          : '再次会商：案件进入庭审阶段，建议依法应诉，如判决不利及时研究上诉和履行方案，防止损失扩大。',
      participants: [justice, responsible, court],
    });
  });
  if (options.lost) {
    const lost = options.lost;
    const concluded = c.add(time.afterDays(start, lost.afterDays), responsible, 'dispute.concluded', { outcome: lost.partially ? 'partially_lost' : 'lost', lossAmount: lost.lossYuan });
    // 责任倒查, then 以案促管: one order carried out, one still running (its clock counts to a day after today)
    const reviewed = c.add(time.afterWorkdays(concluded, rng.int(8, 15)), justice, 'accountability.reviewed', { agencyId: responsible, finding: lost.finding, measures: lost.measures });
    RECTIFICATIONS.forEach((r, i) => {
      const orderedAt = c.add(time.afterWorkdays(reviewed, 1 + i), justice, 'rectification.ordered', {
        rectificationId: `${id}-zg${i + 1}`,
        to: responsible,
        summary: r.summary,
        dueDate: r.done ? time.dateAfter(reviewed, 60) : time.dateAfter(time.now, rng.int(20, 40)),
      });
      if (r.done) c.add(time.afterDays(orderedAt, rng.int(30, 45)), responsible, 'rectification.completed', { rectificationId: `${id}-zg${i + 1}`, summary: r.done });
    });
  }
  if (options.resolvedAfterDays !== undefined) {
    const concluded = c.add(time.afterDays(start, options.resolvedAfterDays), responsible, 'dispute.concluded', { outcome: options.stateEnterprise ? 'mediated' : 'settled' });
    c.add(time.afterMinutes(concluded, 20, 90), responsible, 'case.closed', { outcome: 'resolved_substantively', note: `经${AGENCY_SHORT[justice] ?? AGENCY_NAMES[justice]}组织调解，双方达成和解协议并已履行。` });
  }
  c.commit();
}

// ---------------------------------------------------------------------------------------------
// 信息通报 and the chains they start

/** The basic-level court warns the department and the district government of a wave of suits against a developer (涉房地产企业风险预警). */
export function developerRiskNotice(ctx: DemoContext, start: number, options: { readonly govUnanswered: boolean; readonly badNotReceiver: boolean }): void {
  const { rng, time } = ctx;
  const COURT = QINGSHAN.court;
  const GOV = QINGSHAN.gov;
  const id = caseIdOf('ylqsfy-tongbao', numberFor(ctx, 'tongbao', start));
  const developer = company(rng, '置业');
  const buyers = rng.int(36, 88);
  const c = ctx.plan.newCase(id, COURT);
  let t = c.add(start, COURT, 'case.registered', {
    kind: 'civil_dispute',
    title: `${developer}系列商品房买卖合同纠纷风险预警`,
    parties: [
      { name: `${person(rng)}等${buyers}名购房人`, role: 'plaintiff', type: 'person' },
      { name: developer, role: 'defendant', type: 'private_enterprise' },
    ],
  });
  const note = `近两个月本院收到购房人起诉${developer}逾期交房的案件${buyers}件，存在群体性风险，请相关部门关注项目复工和预售资金监管情况。`;
  t = c.add(time.afterMinutes(t, 30, 120), COURT, 'handoff.requested', { handoffId: `${id}-h1`, to: HOUSING, purpose: 'information_notice', documents: [doc(ctx, '司法风险预警函')], note });
  const toGov = c.add(time.afterMinutes(t, 5, 20), COURT, 'handoff.requested', { handoffId: `${id}-h2`, to: GOV, purpose: 'information_notice', documents: [doc(ctx, '司法风险预警函')], note });
  if (options.badNotReceiver) c.bad(time.afterWorkdays(toGov, 1), GOV, `bad-not-receiver-${id}`, 'handoff.received', { handoffId: `${id}-h1` });
  const housingGot = c.add(time.afterWorkdays(toGov, rng.int(0, 1)), HOUSING, 'handoff.received', { handoffId: `${id}-h1` });
  c.add(time.afterWorkdays(housingGot, rng.int(2, 4)), HOUSING, 'handoff.completed', { handoffId: `${id}-h1`, outcome: 'acknowledged' });
  const govGot = c.add(time.afterWorkdays(toGov, rng.int(1, 2)), GOV, 'handoff.received', { handoffId: `${id}-h2` });
  if (!options.govUnanswered) c.add(time.afterWorkdays(govGot, rng.int(2, 4)), GOV, 'handoff.completed', { handoffId: `${id}-h2`, outcome: 'acknowledged' });
  c.commit();
}

/** 欠薪预警: the labour bureau alerts the basic-level court; the court entrusts mediation to the district's justice bureau; the agreement is confirmed. */
export function unpaidWagesAlert(ctx: DemoContext, start: number): void {
  const { rng, time } = ctx;
  const COURT = QINGSHAN.court;
  const JUSTICE = QINGSHAN.justice;
  const id = caseIdOf('ylrs-qianxin', numberFor(ctx, 'qianxin', start));
  const contractor = company(rng, '建筑劳务');
  const workers = rng.int(18, 46);
  const [lead] = people(rng, 1);
  const c = ctx.plan.newCase(id, HRSS);
  let t = c.add(start, HRSS, 'case.registered', {
    kind: 'civil_dispute',
    title: `${lead}等${workers}名农民工与${contractor}追索劳动报酬纠纷`,
    parties: [
      { name: `${lead}等${workers}名农民工`, role: 'applicant', type: 'person' },
      { name: contractor, role: 'respondent', type: 'private_enterprise' },
    ],
  });
  t = c.add(time.afterWorkdays(t, 1), HRSS, 'handoff.requested', {
    handoffId: `${id}-h1`,
    to: COURT,
    purpose: 'information_notice',
    documents: [doc(ctx, '欠薪线索通报函'), doc(ctx, '农民工工资欠付明细表')],
    note: `${contractor}拖欠${workers}名农民工工资约${rng.int(80, 260)}万元，劳动者拟集体起诉，请法院提前介入，开展诉前联动调解。`,
  });
  t = c.add(time.afterWorkdays(t, rng.int(0, 1)), COURT, 'handoff.received', { handoffId: `${id}-h1` });
  t = c.add(time.afterMinutes(t, 60, 240), COURT, 'handoff.completed', { handoffId: `${id}-h1`, outcome: 'acknowledged' });
  t = c.add(time.afterWorkdays(t, rng.int(1, 3)), COURT, 'handoff.requested', {
    handoffId: `${id}-h2`,
    to: JUSTICE,
    purpose: 'entrusted_mediation',
    documents: [doc(ctx, '劳动者代表身份证明及授权委托书'), doc(ctx, '考勤记录及工资欠条')],
    note: '委派云岭市劳动争议人民调解委员会开展诉前调解，市人社局派员协助。',
  });
  t = c.add(time.afterWorkdays(t, rng.int(0, 1)), JUSTICE, 'handoff.received', { handoffId: `${id}-h2` });
  t = c.add(time.afterDays(t, rng.int(8, 18)), JUSTICE, 'handoff.completed', { handoffId: `${id}-h2`, outcome: 'mediated' });
  t = c.add(time.afterWorkdays(t, rng.int(1, 3)), COURT, 'judicial_confirmation.decided', { granted: true });
  c.add(time.afterDays(t, rng.int(10, 20)), HRSS, 'case.closed', { outcome: 'resolved_substantively', note: '经诉前调解并司法确认，拖欠工资已全额支付。' });
  c.commit();
}
