/**
 * 行政诉讼: the court with jurisdiction (infra/demo/jurisdiction.ts) registers a suit against a government agency,
 * serves the 应诉通知 (litigation_response: 答辩举证 within 15 days), holds the hearing (负责人出庭应诉 or not, often with 庭审旁听 organised by the justice bureau), and
 * judges. An `agency_lost` judgment makes the platform issue a copy notice (同步抄告) that the recipients
 * acknowledge — or not; a 司法建议 may follow.
 */
import { noticeIdFor } from '../../../domain/cases/decide.js';
import { appealBench, suitBench } from '../jurisdiction.js';
import { AGENCY_NAMES, GOV, HOUSING, HRSS, JUSTICE, LINJIANG, MARKET, QINGSHAN, RESOURCES, company, justiceFor, person } from '../names.js';
import { chinaDay, chinaMs, chinaTime, cnDate } from '../plan.js';
import { acknowledge, caseIdOf, courtCaseNumber, doc, numberFor, type AckBy, type DemoContext } from './context.js';

export interface LitigationMatter {
  readonly defendant: string;
  /** 被诉行政行为 */
  readonly matter: string;
  /** the plaintiff is a person, or a private company of this industry */
  readonly plaintiff: 'person' | string;
  /** what the agency does when it corrects itself during the suit (自我纠错) */
  readonly selfCorrection: string;
  /** the court's 司法建议 when the case shows a pattern */
  readonly suggestion: string;
  /** the agency's reply when it adopts the suggestion */
  readonly reply: string;
}

export const LITIGATION_MATTERS: readonly LitigationMatter[] = [
  {
    defendant: MARKET,
    matter: '食品安全行政处罚',
    plaintiff: '食品',
    selfCorrection: '经重新调查，撤销原行政处罚决定，依法作出不予行政处罚决定。',
    suggestion: '建议规范食品安全行政处罚案件的听证告知和陈述申辩程序，对近两年同类处罚案件开展自查评查。',
    reply: '已印发《行政处罚案件听证程序操作指引》，完成2批次共86件处罚案卷自查评查，整改问题12项。',
  },
  {
    defendant: MARKET,
    matter: '投诉举报处理答复',
    plaintiff: 'person',
    selfCorrection: '撤销原答复，重新对举报事项进行核查并书面答复举报人。',
    suggestion: '建议完善投诉举报答复告知制度，依法载明处理结果和救济途径。',
    reply: '已修订投诉举报处理工作规程，统一答复文书格式，增加救济途径告知内容。',
  },
  {
    defendant: RESOURCES,
    matter: '不动产登记',
    plaintiff: 'person',
    selfCorrection: '依申请人申请更正不动产登记簿记载事项。',
    suggestion: '建议加强不动产登记申请材料的实质审查，对历史遗留登记问题建立部门会商机制。',
    reply: '已建立不动产登记历史遗留问题联席会商机制，首批化解历史遗留问题23件。',
  },
  {
    defendant: RESOURCES,
    matter: '责令退还非法占用土地行政处罚',
    plaintiff: '农业开发',
    selfCorrection: '变更处罚决定中的退还土地范围，与实地测绘结果保持一致。',
    suggestion: '建议在土地行政处罚中以实地测绘结果确定违法占地面积，规范证据收集和固定。',
    reply: '已委托第三方测绘机构对在办案件逐宗复核面积，并将测绘报告列为立案必备材料。',
  },
  {
    defendant: RESOURCES,
    matter: '采矿许可延续',
    plaintiff: '矿业',
    selfCorrection: '依法受理采矿许可延续申请并在法定期限内作出决定。',
    suggestion: '建议对矿业权延续申请实行一次性告知，避免因材料反复补正超出法定办理期限。',
    reply: '已在政务服务平台公布矿业权延续申请材料清单，实行一次性告知和容缺受理。',
  },
  {
    defendant: HOUSING,
    matter: '限期拆除违法建筑决定',
    plaintiff: 'person',
    selfCorrection: '撤回限期拆除决定，指导当事人依法补办规划许可手续。',
    suggestion: '建议在作出限期拆除决定前充分听取当事人陈述申辩，准确区分可采取改正措施消除影响的情形。',
    reply: '已将陈述申辩笔录和可改正情形评估列入限期拆除案卷必备材料，并组织全市执法人员专题培训。',
  },
  {
    defendant: HOUSING,
    matter: '商品房预售资金监管',
    plaintiff: '置业',
    selfCorrection: '按监管协议约定的节点核拨预售监管资金。',
    suggestion: '建议完善商品房预售资金监管协议文本，明确资金拨付节点、条件和时限。',
    reply: '已修订预售资金监管协议示范文本并在全市推行，明确五个拨付节点的办理时限。',
  },
  {
    defendant: HRSS,
    matter: '工伤认定',
    plaintiff: 'person',
    selfCorrection: '撤销不予认定工伤决定书，重新作出认定工伤决定。',
    suggestion: '建议规范工伤认定调查核实程序，对"工作时间、工作场所"等要件的认定统一裁量标准。',
    reply: '已制定工伤认定调查核实工作细则，明确6类常见情形的认定标准，并建立疑难案件集体研究制度。',
  },
  {
    defendant: HRSS,
    matter: '劳动保障监察行政处理决定',
    plaintiff: '建筑劳务',
    selfCorrection: '撤销原行政处理决定中认定事实不清的部分，重新核定应支付的劳动报酬数额。',
    suggestion: '建议在劳动保障监察案件中加强对工资支付凭证的核查，准确认定欠薪数额。',
    reply: '已要求在建项目全面落实农民工工资专用账户和实名制管理，监察案件欠薪数额一律以银行流水核定。',
  },
  {
    defendant: GOV,
    matter: '国有土地上房屋征收补偿决定',
    plaintiff: 'person',
    selfCorrection: '重新委托评估机构评估并依法送达评估报告，与被征收人协商补偿方案。',
    suggestion: '建议在房屋征收中依法履行评估结果送达和协商程序，加强征收补偿决定的合法性审查。',
    reply: '已要求各征收实施单位在作出补偿决定前完成评估报告送达和不少于两次协商，并将合法性审查意见附卷。',
  },
  {
    defendant: GOV,
    matter: '政府信息公开答复',
    plaintiff: 'person',
    selfCorrection: '撤销原答复，依法公开申请人所申请的征收补偿方案及其审批文件。',
    suggestion: '建议规范政府信息公开申请答复工作，准确适用不予公开的法定情形。',
    reply: '已组织全市政府信息公开工作人员专题培训，并对答复文书实行法制审核。',
  },
  {
    defendant: GOV,
    matter: '招商引资行政协议',
    plaintiff: '科技',
    selfCorrection: '按行政协议约定兑现扶持资金并与企业签订补充协议。',
    suggestion: '建议全面梳理招商引资协议履行情况，对未兑现的政策承诺建立清单化管理。',
    reply: '已完成全市招商引资协议专项清理，建立政策兑现台账，兑现到位资金3,260万元。',
  },
  {
    defendant: QINGSHAN.department,
    matter: '强制拆除违法建筑',
    plaintiff: 'person',
    selfCorrection: '对强制拆除中损毁的合法财物予以登记并依法补偿。',
    suggestion: '建议在强制拆除前依法履行催告、公告程序，对屋内物品进行清点登记并妥善保管。',
    reply: '已制定强制拆除操作规程，明确催告、公告、清点登记和全程记录四个环节。',
  },
  {
    defendant: QINGSHAN.department,
    matter: '占道经营行政处罚',
    plaintiff: '餐饮管理',
    selfCorrection: '重新核定违法情节，变更罚款数额。',
    suggestion: '建议统一占道经营处罚裁量基准，对首次轻微违法的经营者优先采取教育劝导。',
    reply: '已修订城市管理领域行政处罚裁量基准，增设首违不罚清单。',
  },
  {
    defendant: LINJIANG.department,
    matter: '食品经营许可',
    plaintiff: '食品',
    selfCorrection: '依法受理食品经营许可申请并现场核查。',
    suggestion: '建议对食品经营许可申请实行一次性告知，规范不予受理决定的说理。',
    reply: '已公布食品经营许可办事指南和材料清单，不予受理决定实行法制审核。',
  },
  {
    defendant: QINGSHAN.gov,
    matter: '集体土地上房屋征收补偿安置',
    plaintiff: 'person',
    selfCorrection: '重新核定安置面积并与被征收人签订补充协议。',
    suggestion: '建议在集体土地征收中依法公告征收补偿安置方案，充分听取被征收人意见。',
    reply: '已在全区征收项目推行补偿安置方案公示和听证制度。',
  },
  {
    defendant: LINJIANG.gov,
    matter: '政府信息公开答复',
    plaintiff: 'person',
    selfCorrection: '撤销原答复，依法公开所申请的项目审批文件。',
    suggestion: '建议规范政府信息公开答复的检索和说理，准确适用"信息不存在"的情形。',
    reply: '已对全区政府信息公开答复实行统一法制审核。',
  },
];

export type LitigationOutcome = 'agency_lost' | 'agency_won' | 'dismissed' | 'withdrawn' | 'mediated';

export interface LitigationOptions {
  readonly matter: LitigationMatter;
  readonly outcome: LitigationOutcome;
  /** 行政机关负责人出庭应诉 at the hearing: a principal or deputy head (`appearance`) or entrusted staff only */
  readonly headAppeared: boolean;
  /** the suit follows a 行政复议 that upheld the act (复议维持): the 复议机关 is co-defendant (行政诉讼法 Art. 26) */
  readonly afterReconsideration?: { readonly caseId: string; readonly reconsiderationBody: string };
  /** the plaintiff appeals a judgment for the agency; the 中级人民法院 dismisses the appeal (驳回上诉，维持原判) */
  readonly appealed?: boolean;
  /** how each copy-notice recipient acknowledges (defaults to a published event) */
  readonly acks?: Partial<Record<string, AckBy>>;
  /** 司法建议 after the judgment: replied (adopted or not) or left unanswered */
  readonly suggestion?: 'adopted' | 'not_adopted' | 'unanswered';
  /** the defendant receives the 应诉通知 but never confirms it (overdue information notice) */
  readonly noticeUnanswered?: boolean;
  /** the defendant's system publishes `judgment.issued` itself (unauthorized) */
  readonly badAgencyJudgment?: boolean;
  /** the court's system registers the case a second time (case_exists) */
  readonly badRegisteredTwice?: boolean;
  /** the defendant's connector sends with another agency's source (unauthorized) */
  readonly badWrongSource?: string;
}

export function litigationCase(ctx: DemoContext, start: number, options: LitigationOptions): void {
  const { rng, time } = ctx;
  const { matter } = options;
  const defendant = matter.defendant;
  const bench = suitBench(defendant);
  const COURT = bench.court;
  const no = numberFor(ctx, `${bench.courtCode}行初`, start);
  const id = caseIdOf(`${bench.idPrefix}-xingchu`, no);
  const caseNumber = courtCaseNumber(bench.courtCode, '行初', no);
  const plaintiffName = matter.plaintiff === 'person' ? person(rng) : company(rng, matter.plaintiff);
  const privateEnterprise = matter.plaintiff !== 'person';
  const c = ctx.plan.newCase(id, COURT);
  const after = options.afterReconsideration;

  const registration = {
    kind: 'administrative_litigation',
    title: `${plaintiffName}诉${AGENCY_NAMES[defendant]}${after ? `、${AGENCY_NAMES[after.reconsiderationBody]}` : ''}${matter.matter}${after ? '及行政复议' : ''}案`,
    caseNumber,
    parties: [
      { name: plaintiffName, role: 'plaintiff', type: privateEnterprise ? 'private_enterprise' : 'person' },
      { name: AGENCY_NAMES[defendant]!, role: 'defendant', type: 'agency' },
      ...(after ? [{ name: AGENCY_NAMES[after.reconsiderationBody]!, role: 'defendant', type: 'agency' }] : []),
    ],
    defendantAgencyId: defendant,
    ...(privateEnterprise ? { privateEnterprise: true } : {}),
    ...(after ? { reconsiderationCaseId: after.caseId } : {}),
  };
  let t = c.add(start, COURT, 'case.registered', registration);
  if (options.badRegisteredTwice) c.bad(time.afterMinutes(t, 30, 90), COURT, `bad-registered-twice-${id}`, 'case.registered', registration);

  // 应诉通知: the 起诉状副本 served through the platform; the 15-day 答辩 clock runs from receipt
  const noticeHandoff = `${id}-h1`;
  t = c.add(time.afterWorkdays(t, rng.int(1, 3)), COURT, 'handoff.requested', {
    handoffId: noticeHandoff,
    to: defendant,
    purpose: 'litigation_response',
    documents: [doc(ctx, '起诉状副本'), doc(ctx, '应诉通知书'), doc(ctx, '举证通知书')],
    note: '请于收到之日起十五日内提交答辩状，并提供作出行政行为的证据和所依据的规范性文件。',
  });
  t = time.afterWorkdays(t, rng.int(0, 2));
  if (options.badWrongSource) {
    c.bad(t, defendant, `bad-wrong-source-${id}`, 'handoff.received', { handoffId: noticeHandoff }, { source: options.badWrongSource });
    t = time.afterMinutes(t, 30, 120);
  }
  t = c.add(t, defendant, 'handoff.received', { handoffId: noticeHandoff });
  if (!options.noticeUnanswered) c.add(time.afterWorkdays(t, rng.int(3, 9)), defendant, 'handoff.completed', { handoffId: noticeHandoff, outcome: 'answered' });

  let judged: number;
  if (options.outcome === 'withdrawn') {
    // 自我纠错: the agency corrects itself and the plaintiff withdraws (裁定准予撤诉)
    const corrected = c.add(time.afterDays(t, rng.int(18, 32)), defendant, 'self_correction.reported', { agencyId: defendant, action: matter.selfCorrection });
    judged = c.add(time.afterWorkdays(corrected, rng.int(3, 8)), COURT, 'judgment.issued', { judgmentId: `${id}-j1`, outcome: 'withdrawn' });
  } else {
    const hearingId = `${id}-t1`;
    const scheduled = time.afterDays(t, rng.int(8, 16));
    const hearingDay = time.workday(time.dateAfter(scheduled, rng.int(14, 28)));
    const hearingAt = chinaMs(hearingDay, rng.pick([9 * 60, 9 * 60 + 30, 14 * 60 + 30]));
    // 庭审旁听 organised by the justice bureau of the defendant's level
    const justice = justiceFor(defendant);
    const observers = rng.chance(0.6) ? [justice, ...(rng.chance(0.5) && justice === JUSTICE ? [GOV] : [])] : [];
    c.add(scheduled, COURT, 'hearing.scheduled', { hearingId, at: chinaTime(hearingAt), ...(observers.length > 0 ? { observers } : {}) });
    // revision 2: who appeared — the principal or a deputy head, or entrusted staff only
    const appearance = options.headAppeared ? (rng.chance(0.3) ? 'principal' : 'deputy') : 'entrusted_staff';
    // both fields, as a court's connector written before revision 2 and updated since sends them (they must agree)
    const held = c.add(hearingAt + rng.int(100, 200) * 60_000, COURT, 'hearing.held', {
      hearingId,
      appearance,
      agencyHeadAppeared: options.headAppeared,
      ...(observers.length > 0 ? { observerAgencies: observers.filter(() => rng.chance(0.85)) } : {}),
    });
    judged = c.add(time.afterDays(held, rng.int(12, 35)), COURT, 'judgment.issued', { judgmentId: `${id}-j1`, outcome: options.outcome });
  }
  if (options.badAgencyJudgment) {
    // the department's connector forwards the judgment it was served as if it were the court
    c.bad(time.afterWorkdays(judged, rng.int(1, 2)), defendant, `bad-agency-judgment-${id}`, 'judgment.issued', { judgmentId: `${id}-j1`, outcome: options.outcome });
  }

  if (options.outcome === 'agency_lost') {
    acknowledge(ctx, c, noticeIdFor(id, { judgmentId: `${id}-j1` }), judged, defendant, options.acks ?? {});
  }
  let closeAt = time.afterDays(judged, rng.int(8, 16));
  if (options.suggestion) {
    const issued = c.add(time.afterWorkdays(judged, rng.int(4, 12)), COURT, 'suggestion.issued', {
      suggestionId: `${id}-s1`,
      to: defendant,
      category: 'judicial',
      summary: matter.suggestion,
    });
    // revision 2: the reply clock runs from the addressee's receipt (签收)
    c.add(issued + 2 * 3_600_000, defendant, 'suggestion.received', { suggestionId: `${id}-s1` });
    if (options.suggestion !== 'unanswered') {
      const adopted = options.suggestion === 'adopted';
      c.add(time.afterDays(issued, rng.int(25, 55)), defendant, 'suggestion.replied', {
        suggestionId: `${id}-s1`,
        adopted,
        summary: adopted ? matter.reply : '经研究，该问题系上级部门规定所致，已向省级主管部门反映，暂无法按建议调整，将在权限范围内加强程序告知。',
      });
    }
    closeAt = Math.max(closeAt, time.afterWorkdays(issued, rng.int(1, 3)));
  }
  const closeOutcome = options.outcome === 'withdrawn' ? 'withdrawn' : options.outcome === 'mediated' ? 'resolved_substantively' : 'judged';
  const note =
    options.outcome === 'withdrawn'
      ? '被告自行纠正被诉行政行为，原告申请撤诉，裁定准许。'
      : options.outcome === 'mediated'
        ? '经协调，被告与原告达成和解，行政争议实质性化解。'
        : `裁判文书已于${cnDate(chinaDay(judged))}送达双方当事人。`;
  c.add(closeAt, COURT, 'case.closed', { outcome: closeOutcome, note });
  c.commit();
  if (options.appealed && options.outcome === 'agency_won') appeal(ctx, judged, caseNumber, plaintiffName, privateEnterprise, options);
}

/** 上诉: the plaintiff appeals within 15 days; the 中级人民法院 registers the appeal and dismisses it. */
function appeal(ctx: DemoContext, judged: number, firstInstance: string, plaintiffName: string, privateEnterprise: boolean, options: LitigationOptions): void {
  const { rng, time } = ctx;
  const { matter } = options;
  const defendant = matter.defendant;
  const bench = appealBench();
  const start = time.afterDays(judged, rng.int(20, 30));
  const no = numberFor(ctx, `${bench.courtCode}行终`, start);
  const id = caseIdOf(`${bench.idPrefix}-xingzhong`, no);
  const c = ctx.plan.newCase(id, bench.court);
  let t = c.add(start, bench.court, 'case.registered', {
    kind: 'administrative_litigation',
    title: `${plaintiffName}诉${AGENCY_NAMES[defendant]}${matter.matter}上诉案`,
    caseNumber: courtCaseNumber(bench.courtCode, '行终', no),
    parties: [
      { name: plaintiffName, role: 'plaintiff', type: privateEnterprise ? 'private_enterprise' : 'person' },
      { name: AGENCY_NAMES[defendant]!, role: 'defendant', type: 'agency' },
    ],
    defendantAgencyId: defendant,
    ...(privateEnterprise ? { privateEnterprise: true } : {}),
  });
  t = c.add(time.afterWorkdays(t, rng.int(1, 3)), bench.court, 'handoff.requested', {
    handoffId: `${id}-h1`,
    to: defendant,
    purpose: 'information_notice',
    documents: [doc(ctx, '上诉状副本'), doc(ctx, `${firstInstance}行政判决书`)],
    note: `上诉人不服${firstInstance}行政判决，已向本院提起上诉；本案经阅卷、调查和询问当事人，决定不开庭审理。`,
  });
  t = c.add(time.afterWorkdays(t, rng.int(0, 2)), defendant, 'handoff.received', { handoffId: `${id}-h1` });
  c.add(time.afterWorkdays(t, rng.int(1, 4)), defendant, 'handoff.completed', { handoffId: `${id}-h1`, outcome: 'acknowledged' });
  const judgedAgain = c.add(time.afterDays(t, rng.int(35, 60)), bench.court, 'judgment.issued', { judgmentId: `${id}-j1`, outcome: 'agency_won' });
  c.add(time.afterDays(judgedAgain, rng.int(8, 16)), bench.court, 'case.closed', { outcome: 'judged', note: `驳回上诉，维持${firstInstance}行政判决。` });
  c.commit();
}
