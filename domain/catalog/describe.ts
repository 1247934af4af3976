/**
 * One line of Chinese per stored event, for timelines (TimelineEntry.summary): who did what.
 * Tolerant by design: it describes whatever is stored, including data of older shapes, and never throws.
 */
import type { AgencyDirectory } from '../shared/agencies.js';
import type { DomainEvent } from '../shared/events.js';
import { chinaDate } from '../deadlines/index.js';
import {
  CASE_KINDS,
  CLOSE_OUTCOME_NAMES,
  HANDOFF_EXTENSION_GROUND_NAMES,
  HANDOFF_OUTCOME_NAMES,
  HANDOFF_PROCEDURE_NAMES,
  JUDGMENT_OUTCOME_NAMES,
  NOTICE_REASON_NAMES,
  PURPOSES,
  POSSIBLE_SENTENCE_NAMES,
  RECONSIDERATION_CLOCK_ACTION_NAMES as CLOCK_ACTION,
  RECONSIDERATION_DECISION_NAMES,
  RECONSIDERATION_PROCEDURE_NAMES,
  SUGGESTION_ADDRESSEE_NAME,
  SUGGESTION_CATEGORY_NAMES,
  APPEARANCE_NAMES,
  ACCOUNTABILITY_FINDING_NAMES,
  DISPUTE_OUTCOME_NAMES,
} from './vocabulary.js';

/** Chinese names of the reasons a case is put on a meeting's agenda (graphql.md AttentionItem.reason). */
export const AGENDA_REASON_NAMES: Readonly<Record<string, string>> = {
  manual: '人工提名',
  overdue_handoff: '移送逾期',
  agency_lost: '行政机关败诉',
  reconsideration_corrected: '行政复议纠错',
  overdue_suggestion: '建议逾期未回复',
  overdue_performance: '复议决定逾期未履行',
  major_dispute: '重大法律纠纷',
  // revision 2: 社区矫正
  correction_unreported: '社区矫正报到逾期（漏管风险）',
  correction_absconded: '社区矫正对象脱管',
  // revision 2: legal disputes of state organs
  overdue_rectification: '整改逾期',
  dispute_lost: '涉党政机关/国企纠纷败诉',
};

const MAX_TEXT = 60;

/**
 * Numbers as a Chinese report writes them (what `toLocaleString('zh-CN', …)` gives), formatted by one formatter: that
 * call builds a new one each time, and the dossier's attention list formats an amount per lost dispute (3 % of its CPU).
 */
const REPORT_NUMBER = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 2 });

/** An amount of money as people write it in a report: 万元 from ten thousand yuan up. */
export const yuan = (amount: number): string =>
  amount >= 10_000 ? `${REPORT_NUMBER.format(amount / 10_000)} 万元` : `${REPORT_NUMBER.format(amount)} 元`;

/** The time in China as `YYYY-MM-DD HH:mm` (no clock involved: it only converts the given instant). */
export const chinaDateTime = (rfc3339: string): string => {
  try {
    const ms = Date.parse(rfc3339);
    if (Number.isNaN(ms)) return rfc3339;
    const minutes = Math.floor((((ms + 8 * 3_600_000) % 86_400_000) + 86_400_000) % 86_400_000 / 60_000);
    const hh = String(Math.floor(minutes / 60)).padStart(2, '0');
    const mm = String(minutes % 60).padStart(2, '0');
    return `${chinaDate(rfc3339)} ${hh}:${mm}`;
  } catch {
    return rfc3339;
  }
};

export const describeEvent = (event: DomainEvent, agencies: AgencyDirectory): string => {
  const d = (event.data ?? {}) as Record<string, unknown>;
  const agency = (id: unknown): string => (typeof id === 'string' ? (agencies.get(id)?.name ?? id) : '（未知机关）');
  const agencyList = (ids: unknown): string => (Array.isArray(ids) && ids.length > 0 ? ids.map(agency).join('、') : '');
  const text = (value: unknown): string => {
    if (typeof value !== 'string') return '';
    const oneLine = value.replace(/\s+/g, ' ').trim();
    return [...oneLine].length > MAX_TEXT ? `${[...oneLine].slice(0, MAX_TEXT).join('')}…` : oneLine;
  };
  const named = (names: Readonly<Record<string, string>>, code: unknown): string =>
    typeof code === 'string' ? (names[code] ?? code) : '';
  const ref = (id: unknown): string => (typeof id === 'string' ? `（${id}）` : '');
  const src = event.source === null ? '平台' : agency(event.source);
  const withText = (value: unknown, sep = '：'): string => (text(value) ? `${sep}${text(value)}` : '');

  switch (event.type) {
    case 'case.registered': {
      const kind = typeof d.kind === 'string' && d.kind in CASE_KINDS ? CASE_KINDS[d.kind as keyof typeof CASE_KINDS].name : String(d.kind ?? '');
      // a court's 案号 has its own brackets — （2026）岭0102行初12号 — so it is not put in another pair
      const number = typeof d.caseNumber === 'string' ? `，案号 ${d.caseNumber}` : '';
      const defendant = typeof d.defendantAgencyId === 'string' ? `，被告/被申请人 ${agency(d.defendantAgencyId)}` : '';
      const procedure = d.procedure === 'simplified' || d.fastTrack === true ? `，适用${RECONSIDERATION_PROCEDURE_NAMES.simplified}` : '';
      const complex = d.majorOrComplex === true ? '，重大疑难' : '';
      // the reconsideration case's id is another case's: a reader of this one may not see it (Case.reconsiderationCase)
      const afterReconsideration = typeof d.reconsiderationCaseId === 'string' ? '，经行政复议' : '';
      // 备案 of a government dispute: 主管单位, 承办单位, 标的额, 发生/收到诉状之日
      const responsible = typeof d.responsibleAgencyId === 'string' ? `，主管单位 ${agency(d.responsibleAgencyId)}` : '';
      const handling = typeof d.handlingUnit === 'string' ? `，承办单位 ${text(d.handlingUnit)}` : '';
      const amount = typeof d.amount === 'number' ? `，标的额 ${yuan(d.amount)}` : '';
      const arisen = typeof d.arisenAt === 'string' ? `，${d.arisenAt} 发生` : '';
      const major = d.kind === 'government_dispute' && d.major === true ? '，重大' : '';
      return `${src} 登记${kind}案件「${text(d.title)}」${number}${defendant}${procedure}${complex}${afterReconsideration}${responsible}${handling}${amount}${arisen}${major}`;
    }
    case 'case.closed':
      return `${src} 结案：${named(CLOSE_OUTCOME_NAMES, d.outcome)}${text(d.note) ? `（${text(d.note)}）` : ''}`;
    case 'self_correction.reported':
      return `${src} 报告 ${agency(d.agencyId)} 自我纠错${withText(d.action)}`;

    case 'handoff.requested': {
      const purpose = typeof d.purpose === 'string' && d.purpose in PURPOSES ? PURPOSES[d.purpose as keyof typeof PURPOSES].name : String(d.purpose ?? '');
      const again = typeof d.previousHandoffId === 'string' ? `（重新移送，原移送 ${d.previousHandoffId}）` : '';
      const terms = [
        typeof d.procedure === 'string' ? named(HANDOFF_PROCEDURE_NAMES, d.procedure) : '',
        typeof d.possibleSentence === 'string' ? named(POSSIBLE_SENTENCE_NAMES, d.possibleSentence) : '',
        d.inCustody === true ? '在押' : '',
      ].filter((t) => t !== '');
      return `${src} 向 ${agency(d.to)} 移送「${purpose}」${terms.length > 0 ? `（${terms.join('，')}）` : ''}${again}`;
    }
    case 'handoff.received':
      return `${src} 签收移送${ref(d.handoffId)}`;
    case 'handoff.accepted':
      return `${src} 受理移送${ref(d.handoffId)}`;
    case 'handoff.returned':
      return `${src} 退回移送${ref(d.handoffId)}${withText(d.reason)}`;
    case 'handoff.extended': {
      // Version 2 names a ground (its length is the law's, or `days` where the ground takes a number); version 1 only days.
      const ground = typeof d.ground === 'string' ? `：${named(HANDOFF_EXTENSION_GROUND_NAMES, d.ground)}` : '';
      const days = typeof d.days === 'number' && (d.ground === undefined || d.ground === 'supreme_court' || d.ground === 'parties_consent') ? ` ${String(d.days)} 日` : '';
      return `${src} 延长移送${ref(d.handoffId)}办理期限${ground}${days}${text(d.approvedBy) ? `（批准：${text(d.approvedBy)}）` : ''}`;
    }
    case 'handoff.completed':
      return `${src} 办结移送${ref(d.handoffId)}：${named(HANDOFF_OUTCOME_NAMES, d.outcome)}`;
    case 'handoff.withdrawn':
      return `${src} 撤回移送${ref(d.handoffId)}${withText(d.reason)}`;

    case 'hearing.scheduled': {
      const observers = agencyList(d.observers);
      return `${src} 安排开庭${ref(d.hearingId)}，时间 ${typeof d.at === 'string' ? chinaDateTime(d.at) : ''}${observers ? `，邀请 ${observers} 旁听` : ''}`;
    }
    case 'hearing.held': {
      const head =
        typeof d.appearance === 'string'
          ? `，${named(APPEARANCE_NAMES, d.appearance)}`
          : d.agencyHeadAppeared === true
            ? '，行政机关负责人出庭应诉'
            : d.agencyHeadAppeared === false
              ? '，行政机关负责人未出庭'
              : '';
      const observers = agencyList(d.observerAgencies);
      return `${src} 开庭审理${ref(d.hearingId)}${head}${observers ? `，${observers} 旁听` : ''}`;
    }
    case 'judgment.issued': {
      const effective = typeof d.effectiveAt === 'string' ? `，${d.effectiveAt} 生效` : '';
      const correction = d.communityCorrection === true ? '，适用社区矫正' : '';
      return `${src} 作出裁判${ref(d.judgmentId)}：${named(JUDGMENT_OUTCOME_NAMES, d.outcome)}${effective}${correction}`;
    }
    case 'judgment.effective':
      return `${src} 确认裁判${ref(d.judgmentId)}于 ${String(d.effectiveAt ?? '')} 生效`;
    case 'judicial_confirmation.decided':
      return `${src} 司法确认：${d.granted === true ? '确认调解协议有效' : '不予确认调解协议'}`;

    case 'suggestion.issued':
      return `${src} 向${SUGGESTION_ADDRESSEE_NAME} ${agency(d.to)} 发出${named(SUGGESTION_CATEGORY_NAMES, d.category) || '建议'}${d.urgent === true ? '（紧急）' : ''}${typeof d.replyDays === 'number' ? `，限 ${d.replyDays} 日内回复` : ''}${withText(d.summary)}`;
    case 'suggestion.served':
      return `${src} 送达建议${ref(d.suggestionId)}，送达日期 ${String(d.servedAt ?? '')}`;
    case 'suggestion.received':
      return `${SUGGESTION_ADDRESSEE_NAME} ${src} 签收建议${ref(d.suggestionId)}`;
    case 'suggestion.replied':
      return `${src} 回复建议${ref(d.suggestionId)}：${d.adopted === true ? '采纳' : '未采纳'}${withText(d.summary, '，')}`;

    case 'reconsideration.decided': {
      const due =
        typeof d.performanceDueAt === 'string' ? `，限 ${d.performanceDueAt} 前履行` : typeof d.performanceDays === 'number' ? `，限 ${d.performanceDays} 日内履行` : '';
      return `${src} 作出行政复议决定：${named(RECONSIDERATION_DECISION_NAMES, d.decision)}${due}`;
    }
    case 'reconsideration.extended':
      return `${src} ${CLOCK_ACTION.extended}行政复议审理期限 ${String(d.days)} 日${text(d.approvedBy) ? `（批准：${text(d.approvedBy)}）` : ''}`;
    case 'reconsideration.suspended':
      return `${src} ${CLOCK_ACTION.suspended}行政复议审理${withText(d.reason)}`;
    case 'reconsideration.resumed':
      return `${src} ${CLOCK_ACTION.resumed}行政复议审理`;
    case 'reconsideration.performed':
      return `${src} 报告履行行政复议决定${withText(d.summary)}`;
    case 'correction.reported':
      return `社区矫正对象向 ${src} 报到`;
    case 'correction.absconded':
      return `${src} 报告社区矫正对象脱管（失去联系）${withText(d.note)}`;
    case 'correction.located':
      return `${src} 报告脱管的社区矫正对象已查找到${withText(d.note)}`;
    case 'court.filings_reported':
      return `${src} 报送 ${String(d.period ?? '')} 收案统计：一审民事 ${String(d.civilFirstInstance ?? '')} 件，一审行政 ${String(d.administrativeFirstInstance ?? '')} 件`;

    case 'dispute.consulted':
      return `${src} 组织会商研判${agencyList(d.participants) ? `（参加单位 ${agencyList(d.participants)}）` : ''}${withText(d.opinion)}`;
    case 'dispute.concluded':
      return `${src} 报告纠纷结果：${named(DISPUTE_OUTCOME_NAMES, d.outcome)}${typeof d.lossAmount === 'number' ? `，损失 ${yuan(d.lossAmount)}` : ''}`;
    case 'accountability.reviewed':
      return `${src} 对 ${agency(d.agencyId)} 责任倒查：${named(ACCOUNTABILITY_FINDING_NAMES, d.finding)}${withText(d.measures, '，追责措施：')}`;
    case 'rectification.ordered':
      return `${src} 要求 ${agency(d.to)} 整改${ref(d.rectificationId)}，限 ${String(d.dueDate ?? '')} 前完成${withText(d.summary)}`;
    case 'rectification.completed':
      return `${src} 报告整改完成${ref(d.rectificationId)}${withText(d.summary)}`;

    case 'notice.issued':
      return `${src} 就「${named(NOTICE_REASON_NAMES, d.reason)}」向 ${agencyList(d.recipients) || '（无）'} 抄告${ref(d.noticeId)}`;
    case 'notice.acknowledged':
      return `${src} 签收抄告${ref(d.noticeId)}`;

    case 'meeting.scheduled': {
      const participants = agencyList(d.participants);
      return `${src} 安排联席会议「${text(d.title)}」，时间 ${typeof d.scheduledAt === 'string' ? chinaDateTime(d.scheduledAt) : ''}${participants ? `，参会单位 ${participants}` : ''}`;
    }
    case 'meeting.case_nominated':
      return `${src} 将案件 ${String(d.caseId)} 列入会议议题（${named(AGENDA_REASON_NAMES, d.reason)}）`;
    case 'meeting.held':
      return `联席会议召开${agencyList(d.attendees) ? `，出席单位 ${agencyList(d.attendees)}` : ''}`;
    case 'meeting.resolution_recorded':
      return `会议就案件 ${String(d.caseId)} 形成决议${withText(d.text)}`;
    case 'action_item.assigned':
      return `会议交办督办事项${ref(d.actionId)}给 ${agency(d.owner)}${withText(d.text)}，限 ${String(d.dueDate)} 前完成`;
    case 'action_item.completed':
      return `${src} 完成督办事项${ref(d.actionId)}${withText(d.note)}`;
    case 'meeting.cancelled':
      return `${src} 取消联席会议${withText(d.reason)}`;
    default:
      return `${src} 发布 ${event.type}`;
  }
};
