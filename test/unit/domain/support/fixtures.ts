import type { Agency, AgencyDirectory } from '../../../../domain/shared/agencies.js';
import type { DomainEvent } from '../../../../domain/shared/events.js';
import { toCommand, type DecisionContext, type PublishedFact } from '../../../../domain/catalog/index.js';
import type { CaseCommand, MeetingCommand } from '../../../../domain/catalog/index.js';

export const AGENCIES: readonly Agency[] = [
  { id: 'ly-court', kind: 'court', name: '辽源市中级人民法院' },
  { id: 'ly-court-ls', kind: 'court', name: '辽源市龙山区人民法院' },
  { id: 'ly-proc', kind: 'procuratorate', name: '辽源市人民检察院' },
  { id: 'ly-police', kind: 'police', name: '辽源市公安局' },
  { id: 'ly-justice', kind: 'justice', name: '辽源市司法局' },
  { id: 'ly-gov', kind: 'government', name: '辽源市人民政府' },
  { id: 'ly-market', kind: 'government', name: '辽源市市场监督管理局' },
  { id: 'ly-env', kind: 'government', name: '辽源市生态环境局' },
];
export const directory: AgencyDirectory = new Map(AGENCIES.map((a) => [a.id, a]));
export const agency = (id: string): Agency => {
  const found = directory.get(id);
  if (!found) throw new Error(`fixture agency ${id} missing`);
  return found;
};

export const ctx: DecisionContext = {
  agencies: directory,
  copyNoticeRecipients: ['ly-gov', 'ly-justice'],
  now: '2024-12-31T00:00:00+08:00',
  principal: 'test-publisher',
};

export const CASE_ID = 'C-2024-001';

/** A time on a China-time day, e.g. at('2024-09-13') = 2024-09-13T09:00:00+08:00. */
export const at = (day: string, hm = '09:00'): string => `${day}T${hm}:00+08:00`;

/** A stored event as the store hands it back. */
export const ev = (source: string | null, type: string, data: Record<string, unknown>, time = at('2024-09-13')): DomainEvent => ({
  type,
  data,
  time,
  source,
});

let sequence = 0;
/** The fact an agency publishes for this stored event. */
export const factOf = (event: DomainEvent, subject = CASE_ID): PublishedFact => ({
  id: `evt-${++sequence}`,
  source: agency(event.source!),
  type: event.type,
  subject,
  time: event.time,
  data: event.data as Record<string, unknown>,
});

/** A thunk turning the published event into its command (lazy, so refusals inside toCommand count). */
export const published =
  (event: DomainEvent, options: { subject?: string; context?: DecisionContext } = {}) =>
  (): CaseCommand => toCommand(factOf(event, options.subject), options.context ?? ctx) as CaseCommand;

export const publishedToMeeting =
  (event: DomainEvent, subject: string) =>
  (): MeetingCommand => toCommand(factOf(event, subject), ctx) as MeetingCommand;

// ---------------------------------------------------------------------------------------------
// Case fixtures

export const person = (name: string, role: string) => ({ name, role, type: 'person' });

export const litigationRegistered = ev(
  'ly-court',
  'case.registered',
  {
    kind: 'administrative_litigation',
    title: '张某诉辽源市市场监督管理局行政处罚案',
    caseNumber: '(2024)吉04行初12号',
    parties: [person('张某', 'plaintiff'), { name: '辽源市市场监督管理局', role: 'defendant', type: 'agency' }],
    defendantAgencyId: 'ly-market',
  },
  at('2024-09-01'),
);

export const reconsiderationRegistered = (extra: Record<string, unknown> = {}, day = '2024-05-06') =>
  ev(
    'ly-justice',
    'case.registered',
    {
      kind: 'administrative_reconsideration',
      title: '某公司不服辽源市市场监督管理局行政处罚申请复议案',
      parties: [{ name: '吉林某科技有限公司', role: 'applicant', type: 'enterprise' }, { name: '辽源市市场监督管理局', role: 'respondent', type: 'agency' }],
      defendantAgencyId: 'ly-market',
      ...extra,
    },
    at(day),
  );

export const criminalRegistered = ev(
  'ly-police',
  'case.registered',
  { kind: 'criminal', title: '李某盗窃案', parties: [person('李某', 'suspect')] },
  at('2024-08-01'),
);

export const civilRegistered = ev(
  'ly-court',
  'case.registered',
  { kind: 'civil_dispute', title: '王某与赵某买卖合同纠纷', parties: [person('王某', 'applicant'), person('赵某', 'respondent')] },
  at('2024-09-01'),
);

export const closed = (source: string, outcome = 'judged', time = at('2024-11-01')) => ev(source, 'case.closed', { outcome }, time);

export const handoffRequested = (
  from: string,
  to: string,
  purpose: string,
  handoffId = 'h1',
  time = at('2024-09-13'),
  extra: Record<string, unknown> = {},
) => ev(from, 'handoff.requested', { handoffId, to, purpose, ...extra }, time);

export const handoffEvent = (source: string, type: string, handoffId = 'h1', time = at('2024-09-13'), extra: Record<string, unknown> = {}) =>
  ev(source, type, { handoffId, ...extra }, time);
