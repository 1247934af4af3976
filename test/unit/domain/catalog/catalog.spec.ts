import { expect } from 'chai';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { AGENCY_KINDS } from '../../../../domain/shared/agencies.js';
import { DomainError } from '../../../../domain/shared/errors.js';
import {
  CASE_KINDS,
  CATALOG,
  ENVELOPE_SCHEMA,
  PURPOSES,
  routeOf,
  schemaProblem,
  toCommand,
  type JsonSchema,
} from '../../../../domain/catalog/index.js';
import { agency, ctx } from '../support/fixtures.js';

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;
const ajv = new Ajv({ strict: true, strictRequired: true, allErrors: true });
addFormats(ajv);
const compiled = new Map<JsonSchema, ReturnType<Ajv['compile']>>();
const valid = (schema: JsonSchema, value: unknown): boolean => {
  let fn = compiled.get(schema);
  if (!fn) compiled.set(schema, (fn = ajv.compile(schema as object)));
  return fn(value) as boolean;
};

const SPEC_TYPES = [
  'case.registered',
  'case.closed',
  'self_correction.reported',
  'handoff.requested',
  'handoff.received',
  'handoff.accepted',
  'handoff.returned',
  'handoff.extended',
  'handoff.completed',
  'handoff.withdrawn',
  'hearing.scheduled',
  'hearing.held',
  'court.filings_reported',
  'judgment.issued',
  'judgment.effective',
  'judicial_confirmation.decided',
  'suggestion.issued',
  'suggestion.served',
  'suggestion.received',
  'suggestion.replied',
  'reconsideration.decided',
  'reconsideration.extended',
  'reconsideration.suspended',
  'reconsideration.resumed',
  'reconsideration.performed',
  'correction.reported',
  'correction.absconded',
  'correction.located',
  // revision 2: legal disputes of state organs
  'dispute.consulted',
  'dispute.concluded',
  'accountability.reviewed',
  'rectification.ordered',
  'rectification.completed',
  'notice.acknowledged',
  'action_item.completed',
];

/** One valid payload per type, and payloads that must be refused. */
const SAMPLES: Record<string, { ok: unknown[]; bad: unknown[] }> = {
  'case.registered': {
    ok: [
      { kind: 'civil_dispute', title: '纠纷', parties: [{ name: '甲', role: 'applicant', type: 'person' }] },
      { kind: 'administrative_litigation', title: '诉', caseNumber: '(2024)吉04行初1号', parties: [{ name: '乙', role: 'plaintiff', type: 'private_enterprise' }], defendantAgencyId: 'ly-gov', privateEnterprise: true, fastTrack: false, major: false },
      {
        kind: 'government_dispute',
        title: '纠纷',
        parties: [{ name: '甲', role: 'plaintiff', type: 'enterprise' }],
        responsibleAgencyId: 'ly-gov',
        handlingUnit: '某国有公司',
        amount: 1200000.5,
        arisenAt: '2024-09-02',
        major: true,
      },
    ],
    bad: [
      { kind: 'administrative_litigation', title: '诉', parties: [{ name: '乙', role: 'plaintiff', type: 'person' }] },
      { kind: 'civil_dispute', title: '', parties: [{ name: '甲', role: 'applicant', type: 'person' }] },
      { kind: 'civil_dispute', title: '纠纷', parties: [] },
      { kind: 'civil_dispute', title: '纠纷', parties: [{ name: '甲', role: 'applicant' }] },
      { kind: 'civil_dispute', title: '纠纷', parties: [{ name: '甲', role: 'applicant', type: 'person' }], privateEnterprise: 'yes' },
      { kind: 'civil_dispute', title: '纠纷', parties: [{ name: '甲', role: 'applicant', type: 'person' }], defendantAgencyId: 'LY GOV' },
      // revision 2: a government dispute names its 主管单位 and the day it arose
      { kind: 'government_dispute', title: '纠纷', parties: [{ name: '甲', role: 'plaintiff', type: 'enterprise' }], arisenAt: '2024-09-02' },
      { kind: 'government_dispute', title: '纠纷', parties: [{ name: '甲', role: 'plaintiff', type: 'enterprise' }], responsibleAgencyId: 'ly-gov' },
      { kind: 'government_dispute', title: '纠纷', parties: [{ name: '甲', role: 'plaintiff', type: 'enterprise' }], responsibleAgencyId: 'ly-gov', arisenAt: '2024-09-02', amount: -1 },
    ],
  },
  'case.closed': { ok: [{ outcome: 'judged' }, { outcome: 'other', note: '' }], bad: [{}, { outcome: 'done' }, { outcome: 'judged', extra: 1 }] },
  'self_correction.reported': { ok: [{ agencyId: 'ly-gov', action: '撤销' }], bad: [{ agencyId: 'ly-gov' }, { agencyId: 'ly-gov', action: '' }] },
  'handoff.requested': {
    ok: [
      { handoffId: 'h1', to: 'ly-proc', purpose: 'prosecution_review' },
      { handoffId: 'h2', to: 'ly-proc', purpose: 'prosecution_review', documents: [{ title: '卷', sha256: 'F'.repeat(64) }], note: '', previousHandoffId: 'h1' },
      { handoffId: 'h3', to: 'ly-court', purpose: 'public_prosecution', inCustody: true, procedure: 'simplified', possibleSentence: 'over_3y' },
    ],
    bad: [{ handoffId: 'h1', to: 'ly-proc' }, { handoffId: '', to: 'ly-proc', purpose: 'prosecution_review' }, { handoffId: 'h1', to: 'ly-proc', purpose: 'x' }, { handoffId: 'h1', to: 'ly-proc', purpose: 'prosecution_review', documents: [{}] }, { handoffId: 'h1', to: 'ly-proc', purpose: 'prosecution_review', procedure: 'summary' }, { handoffId: 'h1', to: 'ly-proc', purpose: 'prosecution_review', possibleSentence: 'over_5y' }, { handoffId: 'h1', to: 'ly-proc', purpose: 'prosecution_review', inCustody: 'yes' }],
  },
  'handoff.received': { ok: [{ handoffId: 'h1' }], bad: [{}, { handoffId: 1 }] },
  'handoff.accepted': { ok: [{ handoffId: 'h1' }], bad: [{ handoffId: 'h1', by: 'x' }] },
  'handoff.returned': { ok: [{ handoffId: 'h1', reason: '补正' }], bad: [{ handoffId: 'h1' }] },
  'handoff.extended': {
    ok: [
      { handoffId: 'h1', ground: 'major_complex', approvedBy: '检察长' },
      { handoffId: 'h1', ground: 'parties_consent', days: 90, approvedBy: '局长' },
      { handoffId: 'h1', ground: 'supreme_court', days: 1, approvedBy: '最高人民法院' },
      { handoffId: 'h1', ground: 'third_month', approvedBy: '院长' },
    ],
    bad: [
      // version 1 shape (no ground): only with dataschema urn:liandong:handoff.extended:1
      { handoffId: 'h1', days: 15, approvedBy: '检察长' },
      { handoffId: 'h1', ground: 'parties_consent', approvedBy: '局长' },
      { handoffId: 'h1', ground: 'supreme_court', days: 91, approvedBy: 'x' },
      { handoffId: 'h1', ground: 'parties_consent', days: 1.5, approvedBy: 'x' },
      { handoffId: 'h1', ground: 'major_complex' },
      { handoffId: 'h1', ground: 'urgent', approvedBy: 'x' },
    ],
  },
  'handoff.completed': { ok: [{ handoffId: 'h1', outcome: 'enrolled' }], bad: [{ handoffId: 'h1' }, { handoffId: 'h1', outcome: 'great' }] },
  'handoff.withdrawn': { ok: [{ handoffId: 'h1', reason: '错' }], bad: [{ handoffId: 'h1', reason: '' }] },
  'hearing.scheduled': {
    ok: [{ hearingId: 'H', at: '2024-10-15T01:30:00Z' }, { hearingId: 'H', at: '2024-10-15T09:30:00.5+08:00', observers: ['ly-gov'] }],
    bad: [{ hearingId: 'H', at: '2024-10-15T09:30:00' }, { hearingId: 'H', at: '2024-10-15' }, { hearingId: 'H', at: '2024-10-15T09:30:00Z', observers: ['ly-gov', 'ly-gov'] }],
  },
  'hearing.held': {
    ok: [{ hearingId: 'H' }, { hearingId: 'H', agencyHeadAppeared: false, observerAgencies: [] }, { hearingId: 'H', appearance: 'entrusted_staff' }],
    bad: [{ agencyHeadAppeared: true }, { hearingId: 'H', appearance: 'lawyer' }],
  },
  'court.filings_reported': {
    ok: [{ period: '2024Q3', civilFirstInstance: 812, administrativeFirstInstance: 0 }],
    bad: [{ period: '2024Q5', civilFirstInstance: 1, administrativeFirstInstance: 1 }, { period: '2024Q3', civilFirstInstance: 1 }, { period: '2024Q3', civilFirstInstance: -1, administrativeFirstInstance: 0 }],
  },
  'judgment.issued': {
    ok: [{ judgmentId: 'J', outcome: 'agency_lost' }, { judgmentId: 'J', outcome: 'convicted', effectiveAt: '2024-10-30', communityCorrection: true }],
    bad: [{ judgmentId: 'J', outcome: 'won' }, { judgmentId: 'J', outcome: 'decided', effectiveAt: '2024-13-01' }, { judgmentId: 'J', outcome: 'decided', effectiveAt: '2024-10-30T00:00:00Z' }],
  },
  'judgment.effective': { ok: [{ judgmentId: 'J', effectiveAt: '2024-09-28' }], bad: [{ judgmentId: 'J' }, { judgmentId: 'J', effectiveAt: '2024-09-28T00:00:00Z' }] },
  'judicial_confirmation.decided': { ok: [{ granted: true }], bad: [{}, { granted: 'true' }] },
  'suggestion.issued': {
    ok: [{ suggestionId: 'S', to: 'ly-gov', category: 'judicial', summary: '建议' }, { suggestionId: 'S', to: 'ly-gov', category: 'public_interest', summary: '建议', urgent: true }],
    bad: [{ suggestionId: 'S', to: 'ly-gov', category: 'judicial' }, { suggestionId: 'S', to: 'ly-gov', category: 'general', summary: '建议' }],
  },
  'suggestion.served': { ok: [{ suggestionId: 'S', servedAt: '2024-07-31' }], bad: [{ suggestionId: 'S' }, { suggestionId: 'S', servedAt: '2024-07-31', by: 'x' }] },
  'suggestion.received': { ok: [{ suggestionId: 'S' }], bad: [{}, { suggestionId: '' }] },
  'suggestion.replied': { ok: [{ suggestionId: 'S', adopted: false, summary: '说明' }], bad: [{ suggestionId: 'S', summary: '说明' }] },
  'reconsideration.decided': {
    // ordered_performance without a date or days: the decider's rule (invalid_data), see reconsideration.spec.ts
    ok: [{ decision: 'upheld' }, { decision: 'ordered_performance', performanceDueAt: '2024-07-20' }, { decision: 'confirmed_invalid', performanceDays: 30 }],
    bad: [{ decision: 'kept' }, {}, { decision: 'revoked', performanceDays: 0 }],
  },
  'reconsideration.extended': { ok: [{ days: 30, approvedBy: '局长' }], bad: [{ days: 31, approvedBy: '局长' }, { days: 10 }] },
  'reconsideration.suspended': { ok: [{ reason: '等待鉴定' }], bad: [{}, { reason: '' }] },
  'reconsideration.resumed': { ok: [{}], bad: [{ reason: 'x' }] },
  'reconsideration.performed': { ok: [{ summary: '已履行' }], bad: [{}, { summary: '' }] },
  'correction.reported': { ok: [{}], bad: [{ name: '李某' }] },
  'correction.absconded': { ok: [{}, { note: '失去联系' }], bad: [{ name: '李某' }] },
  'correction.located': { ok: [{}, { note: '已查找到' }], bad: [{ note: 5 }] },
  'notice.acknowledged': { ok: [{ noticeId: 'C-1/judgment/J1' }], bad: [{}, { noticeId: '' }] },
  'dispute.consulted': {
    ok: [{ opinion: '积极应诉', participants: ['ly-gov', 'ly-court'] }],
    bad: [{ opinion: '积极应诉', participants: [] }, { opinion: '', participants: ['ly-gov'] }, { participants: ['ly-gov'] }, { opinion: '积极应诉', participants: ['ly-gov', 'ly-gov'] }],
  },
  'dispute.concluded': {
    ok: [{ outcome: 'lost', lossAmount: 450000 }, { outcome: 'partially_lost', lossAmount: 0 }, { outcome: 'settled' }],
    bad: [{}, { outcome: 'lose' }, { outcome: 'lost', lossAmount: -1 }, { outcome: 'lost', lossAmount: '450000' }],
  },
  'accountability.reviewed': {
    ok: [{ agencyId: 'ly-gov', finding: 'no_fault' }, { agencyId: 'ly-gov', finding: 'fault_found', measures: '诫勉谈话' }],
    bad: [{ agencyId: 'ly-gov' }, { agencyId: 'ly-gov', finding: 'guilty' }, { finding: 'no_fault' }],
  },
  'rectification.ordered': {
    ok: [{ rectificationId: 'r1', to: 'ly-gov', summary: '健全合同审查制度', dueDate: '2025-02-28' }],
    bad: [{ rectificationId: 'r1', to: 'ly-gov', summary: '健全合同审查制度' }, { rectificationId: 'r1', to: 'ly-gov', summary: '', dueDate: '2025-02-28' }, { rectificationId: 'r1', to: 'ly-gov', summary: '整改', dueDate: '2025/02/28' }],
  },
  'rectification.completed': { ok: [{ rectificationId: 'r1', summary: '已整改' }], bad: [{ rectificationId: 'r1' }, { summary: '已整改' }] },
  'action_item.completed': { ok: [{ actionId: 'M-1:A1' }, { actionId: 'M-1:A1', note: '已完成' }], bad: [{}, { actionId: 'M-1:A1', done: true }] },
};

describe('catalog', () => {
  it('has an entry for every type of events.md §3, and no other', () => {
    expect([...CATALOG.keys()].sort()).to.deep.equal([...SPEC_TYPES].sort());
    for (const [type, entry] of CATALOG) expect(entry.type).to.equal(type);
  });

  it('lists the kinds of the "by" column, or every kind where a particular agency is meant', () => {
    const by = (type: string) => [...CATALOG.get(type)!.by].sort();
    expect(by('self_correction.reported')).to.deep.equal(['government', 'justice']);
    for (const type of ['hearing.scheduled', 'hearing.held', 'judgment.issued', 'judicial_confirmation.decided']) expect(by(type)).to.deep.equal(['court']);
    expect(by('suggestion.issued')).to.deep.equal(['court', 'justice', 'procuratorate']);
    for (const type of ['reconsideration.extended', 'reconsideration.suspended', 'reconsideration.resumed']) expect(by(type)).to.deep.equal(['justice']);
    expect(by('judgment.effective')).to.deep.equal(['court']);
    expect(by('reconsideration.decided')).to.deep.equal(['justice']);
    expect(by('correction.reported')).to.deep.equal(['justice']);
    expect(by('correction.absconded')).to.deep.equal(['justice']);
    expect(by('correction.located')).to.deep.equal(['justice']);
    expect(by('court.filings_reported')).to.deep.equal(['court']);
    for (const type of ['dispute.consulted', 'rectification.ordered']) expect(by(type), type).to.deep.equal(['government', 'justice']);
    expect(by('accountability.reviewed')).to.deep.equal(['justice']);
    const everyKind = [...AGENCY_KINDS].sort();
    for (const type of [
      'case.registered',
      'case.closed',
      'handoff.requested',
      'handoff.received',
      'handoff.accepted',
      'handoff.returned',
      'handoff.extended',
      'handoff.completed',
      'handoff.withdrawn',
      'suggestion.replied',
      'reconsideration.performed',
      'notice.acknowledged',
      'action_item.completed',
      // the registering agency or a justice bureau; the `to` agency: checked by the decider
      'dispute.concluded',
      'rectification.completed',
    ]) {
      expect(by(type), type).to.deep.equal(everyKind);
    }
  });

  it('has purposes with Chinese names, kinds and outcomes (§4)', () => {
    expect(PURPOSES.prosecution_review).to.deep.include({ name: '移送审查起诉', from: ['police'], to: ['procuratorate'], outcomes: ['prosecuted', 'not_prosecuted'] });
    expect(PURPOSES.criminal_transfer.from).to.deep.equal(['government', 'justice']);
    expect(PURPOSES.information_notice.to).to.deep.equal(AGENCY_KINDS);
    expect(PURPOSES.litigation_response).to.deep.include({ name: '应诉通知（答辩举证）', from: ['court'], to: ['government'], outcomes: ['answered'] });
    expect(PURPOSES.reconsideration_response).to.deep.include({ name: '复议答复通知', from: ['justice'], to: ['government'], outcomes: ['answered'] });
    expect(PURPOSES.dispute_referral).to.deep.include({ from: ['police', 'court', 'government', 'justice'], to: ['justice'], outcomes: ['mediated', 'failed', 'referred_to_litigation'] });
    expect(Object.keys(PURPOSES)).to.have.length(10);
    expect(CASE_KINDS.administrative_reconsideration.name).to.equal('行政复议');
    expect(Object.keys(CASE_KINDS)).to.have.length(6);
  });

  describe('data schemas compile with ajv (strict) and agree with the domain check', () => {
    for (const type of SPEC_TYPES) {
      it(`${type}: accepts valid payloads and refuses invalid ones`, () => {
        const schema = CATALOG.get(type)!.dataSchema;
        const samples = SAMPLES[type]!;
        for (const ok of samples.ok) {
          expect(valid(schema, ok), `ajv should accept ${JSON.stringify(ok)}`).to.equal(true);
          expect(schemaProblem(schema, ok), JSON.stringify(ok)).to.equal(null);
        }
        for (const bad of samples.bad) {
          expect(valid(schema, bad), `ajv should refuse ${JSON.stringify(bad)}`).to.equal(false);
          expect(schemaProblem(schema, bad), JSON.stringify(bad)).to.be.a('string');
        }
      });
    }
  });

  describe('string lengths count code points, as ajv does, also next to the bounds', () => {
    // 𠀀 (U+20000) is one code point in two UTF-16 units: a count of units would get these wrong
    const bounded: JsonSchema = { type: 'string', minLength: 3, maxLength: 5 };
    const cases: [string, boolean][] = [
      ['ab', false],
      ['abc', true],
      ['𠀀𠀀', false], // 4 units, 2 code points
      ['𠀀𠀀𠀀', true], // 6 units, 3 code points
      ['𠀀𠀀𠀀𠀀𠀀', true], // 10 units, 5 code points
      ['𠀀𠀀𠀀𠀀𠀀𠀀', false], // 12 units, 6 code points
      ['abcd𠀀', true],
      ['abcde𠀀', false],
      ['\ud840abcd', true], // a lone surrogate counts as one, as in ajv
      ['\ud840abcde', false],
    ];
    for (const [value, ok] of cases) {
      it(`${JSON.stringify(value)}: ${ok ? 'fits' : 'does not fit'}`, () => {
        expect(valid(bounded, value)).to.equal(ok);
        expect(schemaProblem(bounded, value) === null).to.equal(ok);
      });
    }

    it('tests a pattern the same way every time (patterns are compiled once)', () => {
      const schema: JsonSchema = { type: 'string', pattern: '^[a-z]+$' };
      for (let i = 0; i < 3; i++) {
        expect(schemaProblem(schema, 'abc')).to.equal(null);
        expect(schemaProblem(schema, 'ab1')).to.be.a('string');
      }
    });
  });

  describe('ENVELOPE_SCHEMA', () => {
    const envelope = {
      specversion: '1.0',
      id: 'evt-1',
      source: 'ly-court',
      type: 'case.registered',
      subject: 'C-2024:001.a_b',
      time: '2024-09-13T09:00:00+08:00',
      datacontenttype: 'application/json',
      data: {},
    };

    it('accepts a CloudEvents 1.0 structured event, with extra attributes', () => {
      expect(valid(ENVELOPE_SCHEMA, envelope)).to.equal(true);
      expect(valid(ENVELOPE_SCHEMA, { ...envelope, traceparent: '00-abc', datacontenttype: undefined })).to.equal(true);
    });

    const bad: Record<string, Record<string, unknown>> = {
      'another specversion': { specversion: '0.3' },
      'an empty id': { id: '' },
      'an id over 128 chars': { id: 'x'.repeat(129) },
      'a source that is not an agency id': { source: 'https://court.example' },
      'a subject with a slash': { subject: 'C/1' },
      'a time without offset': { time: '2024-09-13T09:00:00' },
      'a date as time': { time: '2024-09-13' },
      'another datacontenttype': { datacontenttype: 'application/xml' },
      'data that is not an object': { data: 'x' },
    };
    for (const [what, change] of Object.entries(bad)) {
      it(`refuses ${what}`, () => {
        expect(valid(ENVELOPE_SCHEMA, { ...envelope, ...change })).to.equal(false);
      });
    }

    it('refuses an event without data', () => {
      const { data: _data, ...rest } = envelope;
      expect(valid(ENVELOPE_SCHEMA, rest)).to.equal(false);
    });
  });

  describe('routeOf', () => {
    const fact = (type: string, data: Record<string, unknown>, subject = 'C-1') => ({ id: 'e', source: agency('ly-court'), type, subject, time: '2024-09-13T09:00:00+08:00', data });

    it('routes case facts to case-<subject>', () => {
      expect(routeOf(fact('handoff.received', { handoffId: 'h1' }, 'C-2024.7'))).to.deep.equal({ streamId: 'case-C-2024.7', kind: 'case' });
    });

    it('routes an action item completion to its meeting, whatever the subject', () => {
      expect(routeOf(fact('action_item.completed', { actionId: 'M-2024-10:A12' }, 'C-1'))).to.deep.equal({ streamId: 'meeting-M-2024-10', kind: 'meeting' });
    });

    it('takes the part before the last :A as the meeting id', () => {
      expect(routeOf(fact('action_item.completed', { actionId: 'M:A1:A3' }))).to.deep.equal({ streamId: 'meeting-M:A1', kind: 'meeting' });
    });

    for (const actionId of ['M-1', 'M-1:A', 'M-1:A0', 'M-1:Ax', ':A1', 'M 1:A1', 42]) {
      it(`refuses the malformed action id ${JSON.stringify(actionId)}`, () => {
        expect(() => routeOf(fact('action_item.completed', { actionId }))).to.throw(DomainError).with.property('code', 'invalid_data');
      });
    }
  });

  describe('toCommand', () => {
    const fact = (type: string, data: Record<string, unknown>, source = 'ly-court') => ({ id: 'e', source: agency(source), type, subject: 'C-1', time: '2024-09-13T09:00:00+08:00', data });

    it('builds the case command with the published data, publisher, time and context', () => {
      const data = { hearingId: 'H1', at: '2024-10-15T09:30:00+08:00' };
      expect(toCommand(fact('hearing.scheduled', data), ctx)).to.deep.equal({
        type: 'ScheduleHearing',
        caseId: 'C-1',
        by: agency('ly-court'),
        time: '2024-09-13T09:00:00+08:00',
        data,
        context: ctx,
      });
    });

    it('builds CompleteActionItem for action_item.completed', () => {
      expect(toCommand({ ...fact('action_item.completed', { actionId: 'M-1:A2', note: '好' }, 'ly-market') }, ctx)).to.deep.equal({
        type: 'CompleteActionItem',
        meetingId: 'M-1',
        actionId: 'M-1:A2',
        by: agency('ly-market'),
        time: '2024-09-13T09:00:00+08:00',
        subject: 'C-1',
        note: '好',
      });
    });

    it('maps every catalog type to a command', () => {
      for (const type of SPEC_TYPES) {
        const command = toCommand(fact(type, SAMPLES[type]!.ok[0] as Record<string, unknown>), ctx);
        expect(command.type, type).to.be.a('string');
      }
    });

    it('refuses an unknown type', () => {
      expect(() => toCommand(fact('case.reopened', {}), ctx)).to.throw(DomainError).with.property('code', 'unknown_type');
    });

    it('refuses data that does not match the catalog', () => {
      expect(() => toCommand(fact('case.closed', { outcome: 'x' }), ctx)).to.throw(DomainError).with.property('code', 'invalid_data');
    });
  });
});
