/**
 * JSON Schemas (draft-07) of the CloudEvents envelope and of every catalog type's `data`.
 * Plain data: the domain imports no validator. Infra compiles them with ajv + ajv-formats
 * (`format: 'date-time'` needs ajv-formats; each time also carries a pattern that insists on an offset,
 * so an engine without formats still refuses local times).
 */
import {
  CASE_KIND_CODES,
  CLOSE_OUTCOMES,
  DAYS_EXTENSION_GROUNDS,
  HANDOFF_EXTENSION_GROUND_CODES,
  HANDOFF_OUTCOMES,
  HANDOFF_PROCEDURE_CODES,
  HANDOFF_PURPOSE_CODES,
  POSSIBLE_SENTENCE_CODES,
  JUDGMENT_OUTCOMES,
  PARTY_ROLES,
  PARTY_TYPES,
  RECONSIDERATION_DECISIONS,
  RECONSIDERATION_PROCEDURES,
  SUGGESTION_CATEGORIES,
  APPEARANCES,
  FILINGS_PERIOD_PATTERN,
  DISPUTE_OUTCOMES,
  ACCOUNTABILITY_FINDINGS,
} from './vocabulary.js';

export type JsonSchema = Readonly<Record<string, unknown>>;

const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

/** `YYYY-MM-DD` with a plausible month and day; impossible days (02-30) are refused by the decider. */
export const DATE_PATTERN = '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$';
/** RFC 3339 date-time WITH an offset (`Z` or `±hh:mm`). */
export const TIME_PATTERN = '^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$';
export const AGENCY_ID_SCHEMA_PATTERN = '^[a-z0-9-]{2,64}$';
export const SUBJECT_SCHEMA_PATTERN = '^[A-Za-z0-9._:-]{1,128}$';
export const SHA256_PATTERN = '^[0-9a-fA-F]{64}$';

const agencyId = { type: 'string', pattern: AGENCY_ID_SCHEMA_PATTERN } as const;
const id = { type: 'string', minLength: 1, maxLength: 128 } as const;
const date = { type: 'string', pattern: DATE_PATTERN } as const;
const dateTime = { type: 'string', format: 'date-time', pattern: TIME_PATTERN } as const;
const text = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength }) as const;
const optionalText = (maxLength: number) => ({ type: 'string', maxLength }) as const;
const bool = { type: 'boolean' } as const;
const oneOf = (values: readonly string[]) => ({ type: 'string', enum: [...values] }) as const;
const agencyIds = { type: 'array', items: agencyId, uniqueItems: true, maxItems: 100 } as const;
/** an amount of money in yuan (标的额, 损失金额): not negative, at most a trillion */
const yuan = { type: 'number', minimum: 0, maximum: 1e12 } as const;

const object = (
  title: string,
  properties: Record<string, unknown>,
  required: readonly string[],
  extra: Record<string, unknown> = {},
): JsonSchema => ({
  $schema: DRAFT_07,
  title,
  type: 'object',
  properties,
  required: [...required],
  additionalProperties: false,
  ...extra,
});

const handoffIdOnly = (title: string): JsonSchema => object(title, { handoffId: id }, ['handoffId']);

const party = {
  type: 'object',
  properties: {
    name: text(200),
    role: oneOf(PARTY_ROLES),
    type: oneOf(PARTY_TYPES),
  },
  required: ['name', 'role', 'type'],
  additionalProperties: false,
} as const;

const document = {
  type: 'object',
  properties: { title: text(500), sha256: { type: 'string', pattern: SHA256_PATTERN } },
  required: ['title'],
  additionalProperties: false,
} as const;

/** The data schema of each catalog type (events.md §3). */
export const DATA_SCHEMAS = {
  'case.registered': object(
    'case.registered',
    {
      kind: oneOf(CASE_KIND_CODES),
      title: text(500),
      caseNumber: text(128),
      parties: { type: 'array', items: party, minItems: 1, maxItems: 200 },
      defendantAgencyId: agencyId,
      privateEnterprise: bool,
      fastTrack: bool,
      procedure: oneOf(RECONSIDERATION_PROCEDURES),
      majorOrComplex: bool,
      major: bool,
      // revision 2: the 行政复议 case a suit follows
      reconsiderationCaseId: { type: 'string', pattern: SUBJECT_SCHEMA_PATTERN },
      // government_dispute (备案, revision 2): 主管单位, 承办单位, 标的额, the day the dispute arose or was served
      responsibleAgencyId: agencyId,
      handlingUnit: text(200),
      amount: yuan,
      arisenAt: date,
    },
    ['kind', 'title', 'parties'],
    {
      allOf: [
        {
          // 被告/被申请人: an administrative case names the government agency it is about.
          if: { properties: { kind: { enum: ['administrative_litigation', 'administrative_reconsideration'] } }, required: ['kind'] },
          then: { properties: { defendantAgencyId: agencyId }, required: ['defendantAgencyId'] },
        },
        {
          // 谁主管、谁负责: a dispute is filed with the organ answerable for it and the day the period runs from
          if: { properties: { kind: { const: 'government_dispute' } }, required: ['kind'] },
          then: { properties: { responsibleAgencyId: agencyId, arisenAt: date }, required: ['responsibleAgencyId', 'arisenAt'] },
        },
      ],
    },
  ),
  'case.closed': object('case.closed', { outcome: oneOf(CLOSE_OUTCOMES), note: optionalText(4000) }, ['outcome']),
  'self_correction.reported': object('self_correction.reported', { agencyId, action: text(4000) }, ['agencyId', 'action']),

  'handoff.requested': object(
    'handoff.requested',
    {
      handoffId: id,
      to: agencyId,
      purpose: oneOf(HANDOFF_PURPOSE_CODES),
      documents: { type: 'array', items: document, maxItems: 500 },
      note: optionalText(4000),
      previousHandoffId: id,
      inCustody: bool,
      procedure: oneOf(HANDOFF_PROCEDURE_CODES),
      possibleSentence: oneOf(POSSIBLE_SENTENCE_CODES),
    },
    ['handoffId', 'to', 'purpose'],
  ),
  'handoff.received': handoffIdOnly('handoff.received'),
  'handoff.accepted': handoffIdOnly('handoff.accepted'),
  'handoff.returned': object('handoff.returned', { handoffId: id, reason: text(4000) }, ['handoffId', 'reason']),
  // Version 2 (events.md §2–3): a ground; days (1–90) required where the ground's length is a number of days.
  'handoff.extended': object(
    'handoff.extended',
    { handoffId: id, ground: oneOf(HANDOFF_EXTENSION_GROUND_CODES), days: { type: 'integer', minimum: 1, maximum: 90 }, approvedBy: text(200) },
    ['handoffId', 'ground', 'approvedBy'],
    {
      if: { properties: { ground: { enum: [...DAYS_EXTENSION_GROUNDS] } }, required: ['ground'] },
      then: { properties: { days: { type: 'integer', minimum: 1, maximum: 90 } }, required: ['days'] },
    },
  ),
  'handoff.completed': object('handoff.completed', { handoffId: id, outcome: oneOf(HANDOFF_OUTCOMES) }, ['handoffId', 'outcome']),
  'handoff.withdrawn': object('handoff.withdrawn', { handoffId: id, reason: text(4000) }, ['handoffId', 'reason']),

  'hearing.scheduled': object('hearing.scheduled', { hearingId: id, at: dateTime, observers: agencyIds }, ['hearingId', 'at']),
  'hearing.held': object('hearing.held', { hearingId: id, agencyHeadAppeared: bool, appearance: oneOf(APPEARANCES), observerAgencies: agencyIds }, ['hearingId']),
  // revision 2: 收案统计 for 诉源治理 rates, in the court's statistics stream
  'court.filings_reported': object(
    'court.filings_reported',
    {
      period: { type: 'string', pattern: FILINGS_PERIOD_PATTERN },
      civilFirstInstance: { type: 'integer', minimum: 0, maximum: 100_000_000 },
      administrativeFirstInstance: { type: 'integer', minimum: 0, maximum: 100_000_000 },
    },
    ['period', 'civilFirstInstance', 'administrativeFirstInstance'],
  ),
  'judgment.issued': object(
    'judgment.issued',
    { judgmentId: id, outcome: oneOf(JUDGMENT_OUTCOMES), effectiveAt: date, communityCorrection: bool },
    ['judgmentId', 'outcome'],
  ),
  'judgment.effective': object('judgment.effective', { judgmentId: id, effectiveAt: date }, ['judgmentId', 'effectiveAt']),
  'judicial_confirmation.decided': object('judicial_confirmation.decided', { granted: bool }, ['granted']),

  'suggestion.issued': object(
    'suggestion.issued',
    {
      suggestionId: id,
      to: agencyId,
      category: oneOf(SUGGESTION_CATEGORIES),
      summary: text(4000),
      urgent: bool,
      replyDays: { type: 'integer', minimum: 1, maximum: 60 },
    },
    ['suggestionId', 'to', 'category', 'summary'],
  ),
  'suggestion.served': object('suggestion.served', { suggestionId: id, servedAt: date }, ['suggestionId', 'servedAt']),
  'suggestion.received': object('suggestion.received', { suggestionId: id }, ['suggestionId']),
  'suggestion.replied': object('suggestion.replied', { suggestionId: id, adopted: bool, summary: text(4000) }, [
    'suggestionId',
    'adopted',
    'summary',
  ]),

  'reconsideration.decided': object(
    'reconsideration.decided',
    { decision: oneOf(RECONSIDERATION_DECISIONS), performanceDueAt: date, performanceDays: { type: 'integer', minimum: 1, maximum: 3650 } },
    // ordered_performance needs performanceDueAt or performanceDays, not both: the decider checks it (invalid_data),
    // as "one of two" is beyond the keywords the domain's own schema check reads
    ['decision'],
  ),
  'reconsideration.extended': object(
    'reconsideration.extended',
    { days: { type: 'integer', minimum: 1, maximum: 30 }, approvedBy: text(200) },
    ['days', 'approvedBy'],
  ),
  'reconsideration.suspended': object('reconsideration.suspended', { reason: text(4000) }, ['reason']),
  'reconsideration.resumed': object('reconsideration.resumed', {}, []),
  'reconsideration.performed': object('reconsideration.performed', { summary: text(4000) }, ['summary']),

  'correction.reported': object('correction.reported', {}, []),
  // revision 2: 脱管 and found again
  'correction.absconded': object('correction.absconded', { note: optionalText(4000) }, []),
  'correction.located': object('correction.located', { note: optionalText(4000) }, []),

  // Legal disputes of state organs and state enterprises (revision 2)
  'dispute.consulted': object(
    'dispute.consulted',
    { opinion: text(4000), participants: { ...agencyIds, minItems: 1 } },
    ['opinion', 'participants'],
  ),
  'dispute.concluded': object('dispute.concluded', { outcome: oneOf(DISPUTE_OUTCOMES), lossAmount: yuan }, ['outcome']),
  'accountability.reviewed': object(
    'accountability.reviewed',
    { agencyId, finding: oneOf(ACCOUNTABILITY_FINDINGS), measures: optionalText(4000) },
    ['agencyId', 'finding'],
  ),
  'rectification.ordered': object(
    'rectification.ordered',
    { rectificationId: id, to: agencyId, summary: text(4000), dueDate: date },
    ['rectificationId', 'to', 'summary', 'dueDate'],
  ),
  'rectification.completed': object('rectification.completed', { rectificationId: id, summary: text(4000) }, ['rectificationId', 'summary']),

  'notice.acknowledged': object('notice.acknowledged', { noticeId: { type: 'string', minLength: 1, maxLength: 512 } }, ['noticeId']),

  'action_item.completed': object('action_item.completed', { actionId: { type: 'string', minLength: 4, maxLength: 200 }, note: optionalText(4000) }, [
    'actionId',
  ]),
} as const satisfies Record<string, JsonSchema>;

export type CatalogType = keyof typeof DATA_SCHEMAS;

/**
 * `handoff.extended` version 1 (before revision 2; dataschema `urn:liandong:handoff.extended:1`): no ground,
 * `days` (1–30) added once. Stored version-1 events keep this meaning when folded (evolveHandoff).
 */
export const HANDOFF_EXTENDED_V1_SCHEMA: JsonSchema = object(
  'handoff.extended:1',
  { handoffId: id, days: { type: 'integer', minimum: 1, maximum: 30 }, approvedBy: text(200) },
  ['handoffId', 'days', 'approvedBy'],
);

/** The CloudEvents 1.0 structured envelope (events.md §2). Extra attributes are allowed (and kept). */
export const ENVELOPE_SCHEMA: JsonSchema = {
  $schema: DRAFT_07,
  title: 'CloudEvents 1.0 structured envelope',
  type: 'object',
  properties: {
    specversion: { type: 'string', const: '1.0' },
    id: { type: 'string', minLength: 1, maxLength: 128 },
    source: agencyId,
    type: { type: 'string', minLength: 1, maxLength: 128 },
    subject: { type: 'string', pattern: SUBJECT_SCHEMA_PATTERN },
    time: dateTime,
    datacontenttype: { type: 'string', pattern: '^application/json[ ]*(;.*)?$' },
    data: { type: 'object' },
  },
  required: ['specversion', 'id', 'source', 'type', 'subject', 'time', 'data'],
  additionalProperties: true,
};
