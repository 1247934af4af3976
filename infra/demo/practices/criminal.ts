/**
 * Criminal cases. Police cases go police → procuratorate (移送审查起诉, possibly 退回补充侦查 and resubmission,
 * possibly extended) → court (提起公诉) → judgment, each at the level and in the district the law says
 * (infra/demo/jurisdiction.ts: a 公安分局, the district's 人民检察院 and basic-level 人民法院 for ordinary crimes;
 * the city's for a crime that may bring life imprisonment). A suspended sentence (缓刑) means 社区矫正: the court
 * delivers the offender to the 区司法局 of the 执行地 (where the offender lives), the offender reports — and may go
 * out of contact (脱管) and be found again. 行刑衔接 cases start at a government department that finds a suspected
 * crime and transfers it to the police.
 */
import { addDays } from '../../../domain/deadlines/index.js';
import { criminalChain } from '../jurisdiction.js';
import { AGENCY_NAMES, HOUSING, HRSS, LINJIANG, MARKET, POLICE as POLICE_CITY, QINGSHAN, RESOURCES, company, official, people, type District } from '../names.js';
import { chinaDay, chinaMs, chinaTime, type CaseScript } from '../plan.js';
import { caseIdOf, courtCaseNumber, doc, numberFor, type DemoContext } from './context.js';

export interface Crime {
  readonly name: string;
  readonly suspects: number;
  readonly victims: number;
  /** days of investigation before the file goes to the procuratorate */
  readonly investigationDays: readonly [number, number];
  /** may bring life imprisonment or death: investigated, prosecuted and tried at the city's level (刑事诉讼法 Art. 21) */
  readonly serious?: boolean;
}

export const CRIMES: Record<string, Crime> = {
  dui: { name: '危险驾驶', suspects: 1, victims: 0, investigationDays: [8, 18] },
  theft: { name: '盗窃', suspects: 2, victims: 2, investigationDays: [25, 45] },
  fraud: { name: '诈骗', suspects: 1, victims: 3, investigationDays: [35, 55] },
  cardRenting: { name: '帮助信息网络犯罪活动', suspects: 1, victims: 0, investigationDays: [20, 40] },
  assault: { name: '故意伤害', suspects: 1, victims: 1, investigationDays: [25, 40] },
  illegalBusiness: { name: '非法经营', suspects: 2, victims: 0, investigationDays: [30, 50] },
  concealing: { name: '掩饰、隐瞒犯罪所得', suspects: 1, victims: 0, investigationDays: [20, 35] },
  affray: { name: '寻衅滋事', suspects: 3, victims: 1, investigationDays: [25, 40] },
  accident: { name: '重大责任事故', suspects: 1, victims: 0, investigationDays: [35, 50] },
  deposits: { name: '非法吸收公众存款', suspects: 2, victims: 4, investigationDays: [40, 60] },
  traffic: { name: '交通肇事', suspects: 1, victims: 1, investigationDays: [20, 35] },
  drugs: { name: '贩卖毒品', suspects: 2, victims: 0, investigationDays: [45, 60], serious: true },
};

export interface ProcuratorialSuggestion {
  readonly to: string;
  readonly summary: string;
  readonly reply?: string;
}

export interface CriminalOptions {
  readonly crime: Crime;
  /** where the crime was committed (the district's 分局, 检察院 and 法院 handle it); 青山区 if not said */
  readonly district?: District;
  /** where the offender lives: the 执行地 of a community correction; the district of the crime if not said */
  readonly residence?: District;
  /** 社区矫正: the offender reports, then goes out of contact (脱管); `located`: found again after so many days */
  readonly absconds?: { readonly afterDays: number; readonly locatedAfterDays?: number };
  /** 社区矫正: the offender never reports (漏管风险) */
  readonly neverReports?: boolean;
  /** what the procuratorate decides on the (last) review */
  readonly review: 'prosecuted' | 'not_prosecuted' | 'never';
  /** 退回补充侦查 once before the decision */
  readonly supplementary?: boolean;
  /** the review is extended by 15 days (handoff.extended, 重大复杂) */
  readonly extendReview?: boolean;
  /** the court extends the trial to the third month (至迟不超过三个月) */
  readonly extendTrial?: boolean;
  /** 缓刑: community correction */
  readonly communityCorrection?: boolean;
  /** the court delivers the offender late (after the 10-day limit) */
  readonly lateDelivery?: boolean;
  /** 社会治理类检察建议 to a department, noticed while reviewing the file */
  readonly suggestion?: ProcuratorialSuggestion;
  /** the police system's clock is a day fast: the registration is first sent with a future time (future_time) */
  readonly badFutureTime?: boolean;
}

/** The procuratorate's review and what follows it, on a case that is already open. */
interface ReviewStart {
  readonly chain: ReturnType<typeof criminalChain>;
  readonly c: CaseScript;
  readonly id: string;
  /** when the police send the file */
  readonly at: number;
  /** next free handoff number in the case */
  readonly nextHandoff: number;
}

export function policeCriminalCase(ctx: DemoContext, start: number, options: CriminalOptions): void {
  const { rng, time } = ctx;
  const { crime } = options;
  const chain = criminalChain(options.district ?? QINGSHAN, crime.serious === true);
  const POLICE = chain.police;
  const no = numberFor(ctx, `${chain.policeShort}（刑）立字`, start);
  const { n, year } = no;
  const id = caseIdOf(chain.police === QINGSHAN.police ? 'ylqsga-xingshi' : chain.police === LINJIANG.police ? 'yljga-xingshi' : 'ylga-xingshi', no);
  const names = people(rng, crime.suspects + crime.victims);
  const suspects = names.slice(0, crime.suspects);
  const victims = names.slice(crime.suspects);
  const c = ctx.plan.newCase(id, POLICE);
  const registration = {
    kind: 'criminal',
    title: suspects.length > 1 ? `${suspects[0]}等${suspects.length}人${crime.name}案` : `${suspects[0]}${crime.name}案`,
    caseNumber: `${chain.policeShort}（刑）立字〔${year}〕${n}号`,
    parties: [
      ...suspects.map((name) => ({ name, role: 'suspect', type: 'person' })),
      ...victims.map((name) => ({ name, role: 'victim', type: 'person' })),
    ],
  };
  if (options.badFutureTime) {
    // sent 20 minutes before `now` stamped with tomorrow's time; the clerk resends with the right time
    c.bad(start, POLICE, `bad-future-time-${id}`, 'case.registered', registration, { time: chinaTime(start + 24 * 3_600_000) });
    c.add(start + 15 * 60_000, POLICE, 'case.registered', registration);
    return c.commit();
  }
  c.add(start, POLICE, 'case.registered', registration);
  prosecutionReview(ctx, { chain, c, id, at: time.afterDays(start, rng.int(...crime.investigationDays)), nextHandoff: 1 }, options, true);
  c.commit();
}

/** 移送审查起诉 → (退回补充侦查 → 重新移送) → 起诉/不起诉 → 公诉 → 判决 → 社区矫正. */
function prosecutionReview(ctx: DemoContext, s: ReviewStart, options: CriminalOptions, policeCloses: boolean): void {
  const { rng, time } = ctx;
  const { c, id, chain } = s;
  const POLICE = chain.police;
  const PROC = chain.proc;
  const COURT = chain.bench.court;
  let k = s.nextHandoff;
  const handoff = () => `${id}-h${k++}`;

  let review = handoff();
  let t = c.add(s.at, POLICE, 'handoff.requested', {
    handoffId: review,
    to: PROC,
    purpose: 'prosecution_review',
    documents: [doc(ctx, '起诉意见书'), doc(ctx, `侦查卷宗（共${rng.int(2, 9)}册）`), doc(ctx, '扣押物品清单'), doc(ctx, '犯罪嫌疑人诉讼权利义务告知书')],
    note: rng.pick(['犯罪嫌疑人已被取保候审。', '犯罪嫌疑人现羁押于云岭市看守所。', '犯罪嫌疑人认罪认罚。']),
    ...(options.crime.serious ? { possibleSentence: 'over_3y' } : {}),
  });
  let received = c.add(time.afterWorkdays(t, rng.int(0, 2)), PROC, 'handoff.received', { handoffId: review });
  if (rng.chance(0.5)) c.add(time.afterWorkdays(received, 1), PROC, 'handoff.accepted', { handoffId: review });

  if (options.suggestion) {
    const issued = c.add(time.afterDays(received, rng.int(6, 14)), PROC, 'suggestion.issued', {
      suggestionId: `${id}-s1`,
      to: options.suggestion.to,
      category: 'procuratorial',
      summary: options.suggestion.summary,
    });
    // revision 2: the reply clock runs from the addressee's receipt (签收), the same morning
    c.add(issued + 2 * 3_600_000, options.suggestion.to, 'suggestion.received', { suggestionId: `${id}-s1` });
    if (options.suggestion.reply) {
      c.add(time.afterDays(issued, rng.int(30, 55)), options.suggestion.to, 'suggestion.replied', { suggestionId: `${id}-s1`, adopted: true, summary: options.suggestion.reply });
    }
  }

  if (options.supplementary) {
    const returned = c.add(time.afterDays(received, rng.int(14, 24)), PROC, 'handoff.returned', {
      handoffId: review,
      reason: '部分犯罪事实不清、证据不足，依法退回补充侦查。',
    });
    const supplementary = handoff();
    t = c.add(time.afterMinutes(returned, 20, 90), PROC, 'handoff.requested', {
      handoffId: supplementary,
      to: POLICE,
      purpose: 'supplementary_investigation',
      documents: [doc(ctx, '补充侦查提纲'), doc(ctx, '退回补充侦查决定书')],
      note: rng.pick(['请重点补充查证涉案资金流向及同案人员的主观明知。', '请补充调取案发现场及周边监控视频，并组织被害人进行辨认。', '请补充涉案财物价格认定意见，核实涉案财物去向。']),
    });
    t = c.add(time.afterWorkdays(t, rng.int(0, 1)), POLICE, 'handoff.received', { handoffId: supplementary });
    t = c.add(time.afterDays(t, rng.int(16, 27)), POLICE, 'handoff.completed', { handoffId: supplementary, outcome: 'resubmitted' });
    const previousHandoffId = review;
    review = handoff();
    t = c.add(time.afterMinutes(t, 30, 120), POLICE, 'handoff.requested', {
      handoffId: review,
      to: PROC,
      purpose: 'prosecution_review',
      documents: [doc(ctx, '补充侦查报告书'), doc(ctx, '补充证据材料')],
      previousHandoffId,
    });
    received = c.add(time.afterWorkdays(t, rng.int(0, 1)), PROC, 'handoff.received', { handoffId: review });
  }

  if (options.review === 'never') return;
  // an extended review (+15 days) is decided a week or two after the extension
  const decidedAt = options.extendReview
    ? time.afterDays(c.add(time.afterDays(received, rng.int(22, 27)), PROC, 'handoff.extended', { handoffId: review, ground: 'major_complex', approvedBy: official(rng, '检察长') }), rng.int(8, 15))
    : time.afterDays(received, rng.int(12, 27));
  const decided = c.add(decidedAt, PROC, 'handoff.completed', { handoffId: review, outcome: options.review });
  if (options.review === 'not_prosecuted') {
    if (policeCloses) c.add(time.afterWorkdays(decided, rng.int(2, 6)), POLICE, 'case.closed', { outcome: 'other', note: '检察院作出相对不起诉决定，依法解除强制措施。' });
    return;
  }

  const prosecution = handoff();
  const requestedAt = time.afterWorkdays(decided, rng.int(0, 2));
  const indictment = numberFor(ctx, `${chain.procShort}刑诉`, requestedAt);
  t = c.add(requestedAt, PROC, 'handoff.requested', {
    handoffId: prosecution,
    to: COURT,
    purpose: 'public_prosecution',
    documents: [doc(ctx, `${chain.procShort}刑诉〔${indictment.year}〕${indictment.n}号起诉书`), doc(ctx, '量刑建议书'), doc(ctx, '证据目录')],
  });
  const filed = c.add(time.afterWorkdays(t, rng.int(0, 2)), COURT, 'handoff.received', { handoffId: prosecution });
  // the court dockets the prosecution (立案) under its own 案号: 刑初 of the court that tries it
  const courtNumber = courtCaseNumber(chain.bench.courtCode, '刑初', numberFor(ctx, `${chain.bench.courtCode}刑初`, filed));
  c.add(time.afterWorkdays(filed, rng.int(1, 2)), COURT, 'handoff.accepted', { handoffId: prosecution });
  // the trial is set a few days after filing; an extended one (to the third month) is heard about two months later
  const hearingId = `${id}-t1`;
  const scheduled = time.afterDays(filed, rng.int(3, 7));
  const extended = options.extendTrial
    ? c.add(time.afterDays(filed, rng.int(45, 55)), COURT, 'handoff.extended', { handoffId: prosecution, ground: 'third_month', approvedBy: official(rng, '院长') })
    : null;
  const heardOn = time.workday(extended ? addDays(chinaDay(extended), rng.int(10, 20)) : addDays(chinaDay(scheduled), rng.int(7, 35)));
  const hearingAt = chinaMs(heardOn, rng.pick([9 * 60, 14 * 60 + 30]));
  c.add(scheduled, COURT, 'hearing.scheduled', { hearingId, at: chinaTime(hearingAt) });
  const heard = c.add(hearingAt + rng.int(90, 180) * 60_000, COURT, 'hearing.held', { hearingId });
  const judged = time.afterDays(heard, rng.int(2, 6));
  const effectiveAt = addDays(chinaDay(judged), 11);
  c.add(judged, COURT, 'judgment.issued', {
    judgmentId: `${id}-j1`,
    outcome: 'convicted',
    effectiveAt,
    ...(options.communityCorrection ? { communityCorrection: true } : {}),
  });
  c.add(time.afterMinutes(judged, 20, 60), COURT, 'handoff.completed', { handoffId: prosecution, outcome: 'judged' });

  let closeAfter = time.afterDays(judged, rng.int(14, 20));
  if (options.communityCorrection) {
    // 社区矫正法 Art. 17, 20: the 执行地 is where the offender lives; its county-level 社区矫正机构 (the 区司法局) receives
    const residence = options.residence ?? options.district ?? QINGSHAN;
    const JUSTICE = residence.justice;
    const delivery = handoff();
    const effective = chinaMs(effectiveAt, 9 * 60);
    const requested = c.add(time.afterDays(effective, options.lateDelivery ? rng.int(12, 15) : rng.int(1, 4)), COURT, 'handoff.requested', {
      handoffId: delivery,
      to: JUSTICE,
      purpose: 'community_correction',
      documents: [doc(ctx, `${courtNumber}刑事判决书`), doc(ctx, '执行通知书'), doc(ctx, '结案登记表'), doc(ctx, '社区矫正对象报到告知书')],
      note: `社区矫正执行地：云岭市${residence.name}${residence.township.name}（社区矫正对象居住地），请安排${residence.township.name}司法所接收。`,
    });
    const accepted = c.add(time.afterWorkdays(requested, rng.int(1, 3)), JUSTICE, 'handoff.received', { handoffId: delivery });
    c.add(time.afterMinutes(accepted, 30, 120), JUSTICE, 'handoff.completed', { handoffId: delivery, outcome: 'enrolled' });
    if (!options.neverReports) {
      const reported = c.add(time.afterDays(effective, options.lateDelivery ? rng.int(13, 16) : rng.int(3, 9)), JUSTICE, 'correction.reported', {});
      if (options.absconds) {
        const gone = c.add(time.afterDays(reported, options.absconds.afterDays), JUSTICE, 'correction.absconded', {
          note: `社区矫正对象未按规定到${residence.township.name}司法所报告，电话无法接通，居住地查无此人；已通报${AGENCY_NAMES[residence.police]}协助查找。`,
        });
        if (options.absconds.locatedAfterDays !== undefined) {
          c.add(time.afterDays(gone, options.absconds.locatedAfterDays), JUSTICE, 'correction.located', {
            note: '经公安机关协助，在外省务工地找到社区矫正对象，已责令其返回执行地并给予警告。',
          });
        }
      }
    }
    closeAfter = Math.max(closeAfter, time.afterWorkdays(requested, 2));
  }
  if (policeCloses) c.add(closeAfter, POLICE, 'case.closed', { outcome: 'judged', note: `${courtNumber}刑事判决已生效，侦查终结归档。` });
}

// ---------------------------------------------------------------------------------------------
// 行刑衔接

export interface TransferMatter {
  readonly agency: string;
  /** the police that receive it: the 市公安局 for a city department (its 支队), the district's 分局 for a district's */
  readonly police?: string;
  /** where the suspected crime was committed (the procuratorate and court that take it on); 青山区 if not said */
  readonly district?: District;
  readonly series: string;
  readonly caseNumber: (year: number, n: string) => string;
  /** suspect: a person, or a company of this industry */
  readonly suspect: 'person' | string;
  readonly crime: string;
  readonly evidence: string;
}

export const TRANSFER_MATTERS: Record<string, TransferMatter> = {
  food: {
    agency: MARKET,
    series: 'ylscj-yixing',
    caseNumber: (y, n) => `岭市监立〔${y}〕${n}号`,
    suspect: '食品',
    crime: '生产、销售不符合安全标准的食品',
    evidence: '食品安全抽样检验报告',
  },
  trademark: {
    agency: MARKET,
    series: 'ylscj-yixing',
    caseNumber: (y, n) => `岭市监立〔${y}〕${n}号`,
    suspect: 'person',
    crime: '销售假冒注册商标的商品',
    evidence: '商标权利人出具的鉴定意见',
  },
  farmland: {
    agency: RESOURCES,
    series: 'ylzrzy-yixing',
    caseNumber: (y, n) => `岭自然资执〔${y}〕${n}号`,
    suspect: 'person',
    crime: '非法占用农用地',
    evidence: '土地勘测定界报告及耕地破坏程度鉴定',
  },
  mining: {
    agency: RESOURCES,
    series: 'ylzrzy-yixing',
    caseNumber: (y, n) => `岭自然资执〔${y}〕${n}号`,
    suspect: '矿业',
    crime: '非法采矿',
    evidence: '矿产资源破坏价值鉴定报告',
  },
  wages: {
    agency: HRSS,
    series: 'ylrs-yixing',
    caseNumber: (y, n) => `岭人社监〔${y}〕${n}号`,
    suspect: '建筑劳务',
    crime: '拒不支付劳动报酬',
    evidence: '责令支付通知书及送达回证、欠薪工人名册',
  },
  unlicensedFood: {
    agency: LINJIANG.department,
    police: LINJIANG.police,
    district: LINJIANG,
    series: 'yljscj-yixing',
    caseNumber: (y, n) => `临市监立〔${y}〕${n}号`,
    suspect: '食品',
    crime: '生产、销售有毒、有害食品',
    evidence: '食品检验报告（检出非食用物质）',
  },
  bidRigging: {
    agency: HOUSING,
    series: 'ylzj-yixing',
    caseNumber: (y, n) => `岭住建执〔${y}〕${n}号`,
    suspect: '建筑劳务',
    crime: '串通投标',
    evidence: '招标投标异常情况分析报告及评标录像',
  },
};

export type TransferVariant =
  /** received and opened within 3 days */
  | 'opened'
  /** opened, then the police investigate and send it on for prosecution */
  | 'continued'
  /** returned for 补正 and resent with previousHandoffId, then opened */
  | 'returned'
  /** not opened; the department closes with an administrative penalty */
  | 'not_opened'
  /** opened, but after the 3-day limit */
  | 'late'
  /** received, never decided: overdue now */
  | 'overdue';

export interface TransferOptions {
  readonly matter: TransferMatter;
  readonly variant: TransferVariant;
  /** the department first addresses an agency that is not configured (unknown_agency) */
  readonly badUnknownAgency?: boolean;
  /** the police first complete with an outcome of another purpose (invalid_data) */
  readonly badWrongOutcome?: boolean;
}

export function transferCase(ctx: DemoContext, start: number, options: TransferOptions): void {
  const { rng, time } = ctx;
  const { matter, variant } = options;
  const agency = matter.agency;
  const POLICE = matter.police ?? POLICE_CITY;
  const no = numberFor(ctx, matter.series, start);
  const { n, year } = no;
  const id = caseIdOf(matter.series, no);
  const suspect = matter.suspect === 'person' ? people(rng, 1)[0]! : company(rng, matter.suspect);
  const c = ctx.plan.newCase(id, agency);
  let t = c.add(start, agency, 'case.registered', {
    kind: 'criminal',
    title: `${suspect}涉嫌${matter.crime}案`,
    caseNumber: matter.caseNumber(year, n),
    parties: [{ name: suspect, role: 'suspect', type: matter.suspect === 'person' ? 'person' : 'private_enterprise' }],
  });

  const request = (handoffId: string, previousHandoffId?: string) => ({
    handoffId,
    to: POLICE,
    purpose: 'criminal_transfer',
    documents: [doc(ctx, '涉嫌犯罪案件移送书'), doc(ctx, '涉嫌犯罪案件调查报告'), doc(ctx, '涉案物品清单'), doc(ctx, matter.evidence)],
    note: `${AGENCY_NAMES[agency]}在行政执法中发现当事人涉嫌${matter.crime}罪，依法移送。`,
    ...(previousHandoffId ? { previousHandoffId } : {}),
  });
  let handoffId = `${id}-h1`;
  t = time.afterWorkdays(t, rng.int(1, 4));
  if (options.badUnknownAgency) {
    c.bad(t, agency, `bad-unknown-agency-${id}`, 'handoff.requested', { ...request(handoffId), to: 'yl-forestry' });
    t = time.afterMinutes(t, 30, 120);
  }
  t = c.add(t, agency, 'handoff.requested', request(handoffId));
  if (variant === 'returned') {
    t = c.add(time.afterWorkdays(t, rng.int(1, 2)), POLICE, 'handoff.returned', {
      handoffId,
      reason: `移送材料缺少${matter.evidence}原件及现场检查笔录，请补正后重新移送。`,
    });
    const previous = handoffId;
    handoffId = `${id}-h2`;
    t = c.add(time.afterWorkdays(t, rng.int(3, 6)), agency, 'handoff.requested', request(handoffId, previous));
  }
  const received = c.add(time.afterWorkdays(t, rng.int(0, 1)), POLICE, 'handoff.received', { handoffId });
  if (variant === 'overdue') return c.commit();

  const decidedAt = variant === 'late' ? time.afterDays(received, rng.int(7, 11)) : time.afterMinutes(received, 120, 600);
  const outcome = variant === 'not_opened' ? 'not_opened' : 'case_opened';
  if (options.badWrongOutcome) {
    c.bad(decidedAt - 30 * 60_000, POLICE, `bad-wrong-outcome-${id}`, 'handoff.completed', { handoffId, outcome: 'prosecuted' });
  }
  const decided = c.add(decidedAt, POLICE, 'handoff.completed', { handoffId, outcome });
  if (variant === 'not_opened') {
    c.add(time.afterWorkdays(decided, rng.int(3, 8)), agency, 'case.closed', {
      outcome: 'other',
      note: '公安机关认为涉案金额未达立案追诉标准，决定不予立案；本局已依法作出行政处罚。',
    });
  } else if (variant === 'continued') {
    // the city bureau's 支队 investigates; a crime tried by a basic-level court is prosecuted by the district's 检察院
    const district = matter.district ?? QINGSHAN;
    const chain = { ...criminalChain(district, false), police: POLICE };
    const crime: Crime = { name: matter.crime, suspects: 1, victims: 0, investigationDays: [30, 45] };
    prosecutionReview(ctx, { chain, c, id, at: time.afterDays(decided, rng.int(30, 45)), nextHandoff: 2 }, { crime, review: 'prosecuted' }, false);
  }
  c.commit();
}
