import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import {
  buildSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { typeDefs } from '../../../gateway/server.js';
import { fixedClock } from '../../../infra/clock.js';
import { gql } from '../../e2e/harness.js';
import { startInProcessPlatform, type InProcessPlatform } from './inProcessPlatform.js';

/**
 * graphql.md "Access", checked as an attacker would: for every viewer of the demo city 云岭市, every field of the
 * schema is asked for — the queries are built from the schema itself (object fields followed to a bounded depth,
 * arguments supplied from the demo data: every case id, meeting id, agency, quarter, enum value …) — and no answer
 * (data or error) may carry the id or the text of a case the viewer's agency is not involved in: titles, case
 * numbers, party names, suggestion summaries, resolutions, action items. A field added to the schema is walked
 * without touching this test; an argument it cannot supply fails it. Then every mutation is tried on other agencies'
 * things (their cases, action items, notices): each must be refused, store nothing and tell nothing beyond what the
 * request itself said.
 */

const NOW = '2025-05-20T14:30:00+08:00';
const DEMO = JSON.parse(readFileSync(new URL('../../../infra/config/demo.config.json', import.meta.url), 'utf8')) as {
  agencies: { id: string; name: string }[];
  principals: { name: string; agencyId: string; roles: string[]; token: string }[];
};
/** the viewers: principals whose only reading role is `viewer` */
const VIEWERS = DEMO.principals.filter((p) => p.roles.includes('viewer') && !p.roles.includes('organizer') && !p.roles.includes('auditor'));
const AUDITOR = DEMO.principals.find((p) => p.roles.includes('auditor'))!.token;

/** selection depth below the root field (the depth guard allows 10 in all) */
const MAX_DEPTH = 8;
/** how often one object type may appear on one path (Case → Handoff → Case → Handoff …) */
const MAX_REPEAT = 2;
/** nullable root fields are asked for this many at a time, under aliases (the alias guard allows 30) */
const BATCH = 25;
const CJK = /[\u4e00-\u9fff]/;

interface CaseTruth {
  id: string;
  agencies: Set<string>;
  texts: Set<string>;
}
interface ItemTruth {
  id: string;
  caseId: string | null;
  owner: string;
  text: string;
}
interface Truth {
  cases: Map<string, CaseTruth>;
  items: ItemTruth[];
  /** resolution texts by case */
  resolutions: Map<string, Set<string>>;
  meetingIds: string[];
  notices: { id: string; recipients: string[] }[];
  quarters: string[];
  caseKinds: string[];
  caseStatuses: string[];
  purposes: string[];
  /** what `search(text:)` is walked with: texts of the cases, whole and their first two characters */
  searchTexts: string[];
  /** what `publishStatus(source:, id:)` is walked with: events of cases of several agencies, and rejected ones */
  published: { sources: string[]; ids: string[] };
}

/** every string in a JSON value, with its path (list indexes left out: `meeting.actionItems.caseId`) */
function strings(value: unknown, path = '', out: [string, string][] = []): [string, string][] {
  if (typeof value === 'string') out.push([path, value]);
  else if (Array.isArray(value)) for (const v of value) strings(v, path, out);
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) strings(v, path ? `${path}.${k.replace(/^a\d+$/, '·')}` : k, out);
  return out;
}

/**
 * Texts that find many cases of every agency: the first two characters of the cases' texts (titles, 案号, party
 * names), a few of each kind, and a few whole texts.
 */
function searchTextsOf(cases: ReadonlyMap<string, CaseTruth>): string[] {
  const texts = [...cases.values()].flatMap((c) => [...c.texts]);
  const prefixes = [...new Set(texts.map((t) => [...t].slice(0, 2).join('')))];
  return [...prefixes.slice(0, 8), ...texts.slice(0, 4)];
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** What a viewer of `agency` must never be shown. */
function forbiddenFor(agency: string, truth: Truth) {
  const foreign = [...truth.cases.values()].filter((c) => !c.agencies.has(agency));
  const visible = [...truth.cases.values()].filter((c) => c.agencies.has(agency));
  const foreignIds = new Set(foreign.map((c) => c.id));
  // an action item is the viewer's business when its agency owns it or it concerns a case the viewer may see
  const itemVisible = (i: ItemTruth) => i.owner === agency || (i.caseId !== null && !foreignIds.has(i.caseId));
  const foreignItems = truth.items.filter((i) => i.caseId !== null && foreignIds.has(i.caseId) && i.owner !== agency);
  const allowed = [
    ...visible.flatMap((c) => [...c.texts, ...(truth.resolutions.get(c.id) ?? [])]),
    ...truth.items.filter(itemVisible).map((i) => i.text),
    ...DEMO.agencies.map((a) => a.name),
  ];
  const texts = new Set<string>();
  for (const c of foreign) for (const t of [...c.texts, ...(truth.resolutions.get(c.id) ?? [])]) texts.add(t);
  for (const i of foreignItems) texts.add(i.text);
  // a text that is also legitimately the viewer's (a generic phrase, a name another of its cases shares) proves nothing
  for (const t of [...texts]) if (allowed.some((a) => a.includes(t))) texts.delete(t);
  const ids = [...foreignIds, ...foreignItems.map((i) => i.id)];
  return {
    foreignCases: foreign.length,
    foreignCaseIds: [...foreignIds],
    foreignItemIds: foreignItems.map((i) => i.id),
    ids: ids.length ? new RegExp(`(?<![A-Za-z0-9_-])(${ids.map(escape).join('|')})(?![A-Za-z0-9_-])`) : null,
    texts: texts.size ? new RegExp([...texts].map(escape).join('|')) : null,
  };
}

/**
 * Where an answer shows something foreign: `path: what` for each string that does (decoded cursors included).
 * `asked`: strings the request itself carried, which an error message may repeat without telling anything.
 */
function leaks(answer: unknown, forbidden: ReturnType<typeof forbiddenFor>, asked: readonly string[] = []): string[] {
  const found: string[] = [];
  for (const [path, raw] of strings(answer)) {
    const s = asked.reduce((text, echo) => text.split(echo).join(' '), raw);
    const candidates = [s];
    if (/^[A-Za-z0-9_-]{8,}$/.test(s)) {
      const decoded = Buffer.from(s, 'base64url').toString('utf8');
      if (decoded.startsWith('c:')) candidates.push(decoded);
    }
    for (const c of candidates) {
      const id = forbidden.ids?.exec(c);
      if (id) found.push(`${path}: foreign id ${id[1]}${c === id[1] ? '' : ` in ${JSON.stringify(c.slice(0, 120))}`}`);
      const text = forbidden.texts?.exec(c);
      if (text) found.push(`${path}: foreign text ${JSON.stringify(text[0].slice(0, 60))}`);
    }
  }
  return found;
}

/** Builds the queries for every field reachable from Query, recording which fields it asked for. */
class Walker {
  readonly asked = new Set<string>();
  constructor(
    private readonly schema: GraphQLSchema,
    private readonly pools: (field: GraphQLField<unknown, unknown>, arg: GraphQLArgument) => unknown[] | null,
  ) {}

  /** the selection set of an object type, `depth` levels below the root field */
  selection(type: GraphQLObjectType, depth: number, seen: Map<string, number>): string {
    const parts: string[] = [];
    const here = new Map(seen).set(type.name, (seen.get(type.name) ?? 0) + 1);
    for (const field of Object.values(type.getFields())) {
      const named = getNamedType(field.type);
      const args = this.argumentSets(field)[0];
      if (args === undefined) continue;
      if (isLeafType(named)) {
        this.asked.add(`${type.name}.${field.name}`);
        parts.push(`${field.name}${args}`);
      } else if (isObjectType(named) && depth < MAX_DEPTH && (here.get(named.name) ?? 0) < MAX_REPEAT) {
        const inner = this.selection(named, depth + 1, here);
        if (!inner) continue;
        this.asked.add(`${type.name}.${field.name}`);
        parts.push(`${field.name}${args} { ${inner} }`);
      }
    }
    return parts.join(' ');
  }

  /**
   * The argument lists to call a field with: the required arguments over every value their pool has, and each
   * optional argument with each of its values on its own (with the first of the required ones).
   */
  argumentSets(field: GraphQLField<unknown, unknown>): string[] {
    if (field.args.length === 0) return [''];
    let base: Record<string, unknown>[] = [{}];
    const optional: [string, unknown[]][] = [];
    for (const arg of field.args) {
      const pool = this.pools(field, arg);
      if (isNonNullType(arg.type)) {
        if (!pool?.length) throw new Error(`the walker cannot supply ${field.name}(${arg.name}: ${String(arg.type)}): add it to its argument pools`);
        base = base.flatMap((b) => pool.map((v) => ({ ...b, [arg.name]: v })));
      } else if (pool?.length) {
        optional.push([arg.name, pool]);
      }
    }
    const sets = [...base];
    for (const [name, pool] of optional) for (const v of pool) sets.push({ ...base[0], [name]: v });
    return sets.map((s) => `(${Object.entries(s).map(([k, v]) => `${k}: ${literal(v)}`).join(', ')})`).map((s) => (s === '()' ? '' : s));
  }

  /** every root query as a list of documents: nullable fields batched under aliases, the others one per request */
  documents(): string[] {
    const query = this.schema.getQueryType()!;
    const docs: string[] = [];
    for (const field of Object.values(query.getFields())) {
      const named = getNamedType(field.type);
      const selection = isObjectType(named) ? this.selection(named, 1, new Map()) : '';
      const calls = this.argumentSets(field).map((args) => `${field.name}${args}${selection ? ` { ${selection} }` : ''}`);
      this.asked.add(`Query.${field.name}`);
      if (isNonNullType(field.type)) {
        for (const call of calls) docs.push(`{ ${call} }`);
      } else {
        for (let i = 0; i < calls.length; i += BATCH) docs.push(`{ ${calls.slice(i, i + BATCH).map((c, j) => `a${i + j}: ${c}`).join(' ')} }`);
      }
    }
    return docs;
  }
}

function literal(v: unknown): string {
  if (typeof v === 'object' && v !== null && 'enum' in v) return String((v as { enum: string }).enum);
  if (Array.isArray(v)) return `[${v.map(literal).join(', ')}]`;
  if (typeof v === 'object' && v !== null) return `{ ${Object.entries(v).map(([k, x]) => `${k}: ${literal(x)}`).join(', ')} }`;
  return JSON.stringify(v);
}

/** up to `max` argument objects: the cross product of the pools, first values first */
function combinations(pools: [string, unknown[]][], max: number): Record<string, unknown>[] {
  let out: Record<string, unknown>[] = [{}];
  for (const [name, pool] of pools) out = out.flatMap((o) => pool.map((v) => ({ ...o, [name]: v }))).slice(0, max);
  return out;
}

/**
 * Every object field of the schema except the root Mutation's (the walk is read-only) and the root Subscription's
 * (served over WebSocket, not POST /graphql: their visibility per change is in test/unit/gateway/subscriptions.spec.ts
 * and test/e2e/subscriptions.e2e.spec.ts; the types they return are walked here through the queries).
 */
function allFields(schema: GraphQLSchema): string[] {
  const roots = new Set([schema.getMutationType()?.name, schema.getSubscriptionType()?.name]);
  return Object.values(schema.getTypeMap())
    .filter((t: GraphQLNamedType): t is GraphQLObjectType => isObjectType(t) && !t.name.startsWith('__') && !roots.has(t.name))
    .flatMap((t) => Object.keys(t.getFields()).map((f) => `${t.name}.${f}`));
}

describe('a viewer sees nothing of another agency’s cases through any field (walk of the whole schema over the demo city)', function () {
  this.timeout(180_000);
  const dir = mkdtempSync(join(tmpdir(), 'ld-visibility-walk-'));
  const schema = buildSchema(typeDefs);
  let p: InProcessPlatform;
  let truth: Truth;

  const ask = async (token: string, query: string) => {
    const r = await gql(p.base, token, query);
    expect(r.status, `${query.slice(0, 200)} → ${JSON.stringify(r.json).slice(0, 400)}`).to.be.oneOf([200, 400]);
    return r.json!;
  };

  before(async () => {
    p = await startInProcessPlatform(dir, { clock: fixedClock(NOW), demoCity: true });
    const all = await ask(
      AUDITOR,
      '{ cases(first: 500) { totalCount nodes { id kind status title caseNumber agencies { id } handoffs { purpose } } } meetings { id scheduledAt agenda { case { id } resolution } actionItems { id caseId text owner { id } } } }',
    );
    expect(all.errors, JSON.stringify(all.errors)).to.equal(undefined);
    const d = all.data!;
    expect(d.cases.totalCount).to.equal(d.cases.nodes.length);
    const cases = new Map<string, CaseTruth>();
    for (const c of d.cases.nodes as { id: string; title: string; caseNumber: string | null; agencies: { id: string }[] }[]) {
      cases.set(c.id, { id: c.id, agencies: new Set(c.agencies.map((a) => a.id)), texts: new Set([c.title, ...(c.caseNumber ? [c.caseNumber] : [])]) });
    }
    // every text a case's own events carry (party names, summaries, document titles, reasons …)
    const published = { sources: new Set<string>(), ids: new Set<string>() };
    for (const e of await p.store.readAll({ after: null })) {
      // one published event of each of a few agencies, for publishStatus
      const { source, eventId } = e.metadata;
      if (source && eventId && !published.sources.has(source) && published.sources.size < 4) {
        published.sources.add(source);
        published.ids.add(eventId);
      }
      const c = cases.get(e.streamId.replace(/^case-/, ''));
      if (!c || !e.streamId.startsWith('case-')) continue;
      for (const [, s] of strings(e.data)) if (s.length >= 2 && CJK.test(s)) c.texts.add(s);
    }
    const meetings = d.meetings as { id: string; scheduledAt: string; agenda: { case: { id: string }; resolution: string | null }[]; actionItems: { id: string; caseId: string | null; text: string; owner: { id: string } }[] }[];
    const resolutions = new Map<string, Set<string>>();
    for (const m of meetings) for (const a of m.agenda) if (a.resolution) resolutions.set(a.case.id, new Set([...(resolutions.get(a.case.id) ?? []), a.resolution]));
    const notices = await ask(AUDITOR, '{ copyNotices { id recipients { id } } }');
    expect(notices.errors, JSON.stringify(notices.errors)).to.equal(undefined);
    const year = Number(NOW.slice(0, 4));
    truth = {
      notices: notices.data!.copyNotices.map((n: { id: string; recipients: { id: string }[] }) => ({ id: n.id, recipients: n.recipients.map((r) => r.id) })),
      cases,
      items: meetings.flatMap((m) => m.actionItems.map((i) => ({ id: i.id, caseId: i.caseId, owner: i.owner.id, text: i.text }))),
      resolutions,
      meetingIds: meetings.map((m) => m.id),
      quarters: [year - 1, year].flatMap((y) => [1, 2, 3, 4].map((q) => `${y}Q${q}`)),
      caseKinds: [...new Set(d.cases.nodes.map((c: { kind: string }) => c.kind))] as string[],
      caseStatuses: [...new Set(d.cases.nodes.map((c: { status: string }) => c.status))] as string[],
      purposes: [...new Set(d.cases.nodes.flatMap((c: { handoffs: { purpose: string }[] }) => c.handoffs.map((h) => h.purpose)))] as string[],
      searchTexts: searchTextsOf(cases),
      published: { sources: [...published.sources], ids: [...published.ids] },
    };
    const rejected = await ask(AUDITOR, '{ rejections(first: 2) { nodes { source eventId } } }');
    expect(rejected.errors, JSON.stringify(rejected.errors)).to.equal(undefined);
    for (const r of rejected.data!.rejections.nodes as { source: string | null; eventId: string | null }[]) {
      if (!r.source || !r.eventId) continue;
      truth.published.sources.push(r.source);
      truth.published.ids.push(r.eventId);
    }
    expect(truth.published.ids.length, 'published events to ask publishStatus about').to.be.greaterThan(2);
    expect(cases.size, 'the demo city has its cases').to.be.greaterThan(50);
    expect(truth.items.length, 'and its action items').to.be.greaterThan(5);
  });

  after(async () => {
    await p?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** the values an argument is walked with, from the demo data; null: leave it out (optional) or fail (required) */
  function pool(field: GraphQLField<unknown, unknown>, arg: GraphQLArgument): unknown[] | null {
    const type = getNamedType(arg.type);
    const returns = getNamedType(field.type).name;
    if (isEnumType(type)) return type.getValues().map((v) => ({ enum: v.name }));
    if (type.name === 'Boolean') return [true, false];
    if (arg.name === 'first') return [500];
    if (arg.name === 'after' || arg.name === 'principal') return null;
    if (type.name === 'ID' && /agency/i.test(arg.name)) return DEMO.agencies.map((a) => a.id);
    if (type.name === 'ID' && arg.name === 'id' && returns === 'Case') return [...truth.cases.keys()];
    if (type.name === 'ID' && arg.name === 'id' && returns === 'Meeting') return [...truth.meetingIds, 'no-such-meeting'];
    if (arg.name === 'quarter') return truth.quarters;
    if (arg.name === 'stream') return [`case-${[...truth.cases.keys()][0]}`, `meeting-${truth.meetingIds[0]}`];
    if (arg.name === 'kind') return truth.caseKinds;
    if (arg.name === 'status') return truth.caseStatuses;
    if (arg.name === 'purpose') return truth.purposes;
    if (arg.name === 'text' && field.name === 'search') return truth.searchTexts;
    if (field.name === 'publishStatus') return arg.name === 'source' ? [...new Set(truth.published.sources)] : [...new Set(truth.published.ids)];
    if (type.name === 'DateTime') return ['2025-03-01T00:00:00+08:00'];
    if (type.name === 'Date') return arg.name === 'to' ? ['2025-03-31'] : ['2025-01-01'];
    if (type.name === 'Int') return [0, 3];
    return null;
  }

  for (const viewer of VIEWERS) {
    it(`${viewer.token} (${viewer.agencyId}): no foreign case id or text in any answer`, async () => {
      const walker = new Walker(schema, pool);
      const forbidden = forbiddenFor(viewer.agencyId, truth);
      expect(forbidden.foreignCases, 'the viewer has other agencies’ cases to be kept from').to.be.greaterThan(0);
      const found: string[] = [];
      let answered = 0;
      const documents = walker.documents();
      for (let i = 0; i < documents.length; i += 4) {
        // a few at a time: the platform answers them concurrently, as it would several users
        await Promise.all(
          documents.slice(i, i + 4).map(async (query) => {
            const answer = await ask(viewer.token, query);
            if (answer.data) answered++;
            for (const leak of leaks(answer, forbidden)) found.push(leak);
          }),
        );
      }
      // one line per place and kind of leak, with how often it was seen
      const seen = new Map<string, number>();
      for (const leak of found) {
        const where = leak.replace(/ (id|text) .*$/, ' $1');
        seen.set(where, (seen.get(where) ?? 0) + 1);
      }
      const first = new Map<string, string>();
      for (const leak of found) first.set(leak.replace(/ (id|text) .*$/, ' $1'), first.get(leak.replace(/ (id|text) .*$/, ' $1')) ?? leak);
      expect([...first.entries()].map(([where, leak]) => `${seen.get(where)}× ${leak}`), `${found.length} leak(s)`).to.deep.equal([]);
      expect(answered, 'the walk got answers').to.be.greaterThan(documents.length / 2);
      const missed = allFields(schema).filter((f) => !walker.asked.has(f));
      expect(missed, 'every field of the schema is walked').to.deep.equal([]);

      // every mutation, on other agencies' things: refused, nothing stored, nothing told but what was asked
      const head = await p.store.headPosition();
      const refusedLeaks: string[] = [];
      const mutation = schema.getMutationType()!;
      for (const field of Object.values(mutation.getFields())) {
        const named = getNamedType(field.type);
        const selection = isObjectType(named) ? walker.selection(named, 1, new Map()) : '';
        const pools = field.args.filter((a) => isNonNullType(a.type)).map((a): [string, unknown[]] => [a.name, mutationValues(field, a.name, a.type, viewer.agencyId, forbidden)]);
        for (const args of combinations(pools, 6)) {
          const call = `${field.name}(${Object.entries(args).map(([k, v]) => `${k}: ${literal(v)}`).join(', ')})`;
          const answer = await ask(viewer.token, `mutation { ${call}${selection ? ` { ${selection} }` : ''} }`);
          expect(answer.errors, `${call} as ${viewer.token} must be refused`).to.be.an('array').that.is.not.empty;
          for (const leak of leaks(answer, forbidden, strings(args).map(([, v]) => v))) refusedLeaks.push(`${call}: ${leak}`);
        }
      }
      expect(refusedLeaks.slice(0, 10), `${refusedLeaks.length} leak(s) in refusals`).to.deep.equal([]);
      expect(await p.store.headPosition(), 'the refused mutations stored nothing').to.equal(head);
    });
  }

  /** argument values for a mutation aimed at what is not the viewer's (recursing into input objects) */
  function mutationValues(field: GraphQLField<unknown, unknown>, name: string, type: GraphQLInputType, own: string, forbidden: ReturnType<typeof forbiddenFor>): unknown[] {
    const inner = isNonNullType(type) ? type.ofType : type;
    if (isListType(inner)) return [DEMO.agencies.map((a) => a.id)];
    if (isInputObjectType(inner)) {
      const fields = Object.values(inner.getFields()).filter((f) => isNonNullType(f.type) || f.name === 'caseId');
      return combinations(
        fields.map((f): [string, unknown[]] => [f.name, mutationValues(field, f.name, f.type, own, forbidden)]),
        3,
      );
    }
    const returns = getNamedType(field.type).name;
    if (name === 'caseId') return forbidden.foreignCaseIds.slice(0, 3);
    if (name === 'meetingId' || (name === 'id' && returns === 'Meeting')) return truth.meetingIds;
    if (name === 'id' && returns === 'ActionItem') return forbidden.foreignItemIds.slice(0, 6);
    if (name === 'id' && returns === 'CopyNotice') return truth.notices.filter((n) => !n.recipients.includes(own)).map((n) => n.id).slice(0, 6);
    if (name === 'owner') return [own];
    const named = getNamedType(inner);
    if (named.name === 'Date') return ['2025-06-30'];
    if (named.name === 'DateTime') return ['2025-06-30T09:00:00+08:00'];
    if (named.name === 'String') return ['走查'];
    throw new Error(`the walker cannot supply ${field.name}(${name}: ${String(type)}) for a mutation: add it to mutationValues`);
  }
});
