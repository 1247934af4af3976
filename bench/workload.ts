/**
 * The benchmark workload: the demo city (infra/demo/scenario.ts) at scale.
 *
 * Each demo case is a template — its published facts, as the agencies send them. A benchmark case is a copy
 * of a template under a new case id (every id that contains the case id is renamed with it: handoff, hearing,
 * judgment and notice ids), lengthened with more handoffs of the kind the template already has (a police
 * case gets more 移送 to the procuratorate, a reconsideration more to the government …) so that 10,000 cases
 * carry 1,000,000 events, about 100 each. One extra case carries 1,000 events for the time-travel query.
 *
 * Templates are checked once through the real ingest pipeline (in memory) before they are copied: a fact the
 * platform refuses is left out, so the benchmark measures stored events, not rejections.
 *
 * Nothing is materialised: a case is (template, number of added handoffs), and `eventAt(k)` renders its k-th
 * event as CloudEvents JSON text on demand, so a million events cost a few megabytes until they are sent.
 *
 * Batches follow the publishers: every batch is one agency's events (the HTTP sender fixes the source), at
 * most one run of consecutive same-agency events per case, and a case's events are sent in order — batch n+1
 * may depend on batch n, so batches are sent one after another.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Agency } from '../domain/shared/agencies.js';
import { loadConfigFile } from '../infra/config/loadConfig.js';
import type { PlatformConfig } from '../infra/config/schema.js';
import { demoScenario, type CloudEvent } from '../infra/demo/scenario.js';
import { openSqliteEventStore } from '../infra/eventStore/sqliteEventStore.js';
import { createIngestPipeline } from '../infra/ingest/pipeline.js';
import { createValidator } from '../infra/ingest/validator.js';
import { openSqliteRejectionStore } from '../infra/rejections/sqliteRejectionStore.js';
import { systemClock } from '../infra/clock.js';

export const DEMO_CONFIG_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', 'infra', 'config', 'demo.config.json');

const ID_PLACEHOLDER = '@@event-id@@';

/** One published fact of a template, as JSON text with the event id left open. */
interface TemplateEvent {
  readonly source: string;
  readonly type: string;
  /** the CloudEvent as JSON, `"id"` holding ID_PLACEHOLDER */
  readonly json: string;
}

/** A handoff of the template that went requested → … → completed, all follow-ups by the receiver. */
interface HandoffCycle {
  readonly handoffId: string;
  readonly requester: string;
  readonly receiver: string;
  readonly requested: TemplateEvent;
  /** received, accepted, extended, completed … as the template had them */
  readonly followUps: readonly TemplateEvent[];
}

export interface CaseTemplate {
  readonly caseId: string;
  readonly kind: string;
  readonly registrar: string;
  /** facts before the case was closed */
  readonly opening: readonly TemplateEvent[];
  /** case.closed and what may still follow it */
  readonly closing: readonly TemplateEvent[];
  /** the handoff repeated to lengthen a copy; null: copies keep the template's length */
  readonly cycle: HandoffCycle | null;
}

/** A benchmark case: a template under a new id, with `cycles` more handoffs in blocks of `block`. */
export interface BenchCase {
  readonly id: string;
  readonly template: CaseTemplate;
  readonly cycles: number;
  readonly block: number;
  readonly length: number;
}

export interface Workload {
  readonly cases: readonly BenchCase[];
  /** the case with about 1,000 events (time travel) */
  readonly longCase: BenchCase;
  /** published events in all cases */
  readonly events: number;
  readonly templates: readonly CaseTemplate[];
  /** facts of the demo left out because the platform refused them on their own (e.g. they follow a meeting) */
  readonly droppedTemplateEvents: number;
}

export interface WorkloadOptions {
  cases: number;
  /** published events in total, the long case included */
  events: number;
  longCaseEvents: number;
  now: Date;
  /**
   * 'http': every fact of the case. 'kafka': only what the registering agency publishes itself, so each
   * case's events travel on one topic and one partition (Kafka orders within a partition only).
   */
  channel?: 'http' | 'kafka';
  /** case ids start with it (default 'b'): a second workload beside the first (the paced publisher's) needs its own */
  idPrefix?: string;
}

export function demoConfig(): PlatformConfig {
  return loadConfigFile(DEMO_CONFIG_PATH);
}

export function agencyDirectory(config: PlatformConfig): Map<string, Agency> {
  return new Map(config.agencies.map((a) => [a.id, a]));
}

/** the plain token of each agency's publisher principal in the demo config */
export function publisherTokens(config: PlatformConfig): Map<string, string> {
  const tokens = new Map<string, string>();
  for (const p of config.principals) if (p.roles.includes('publisher') && p.token && !tokens.has(p.agencyId)) tokens.set(p.agencyId, p.token);
  return tokens;
}

export const tokenWithRole = (config: PlatformConfig, role: 'organizer' | 'auditor'): string => {
  const p = config.principals.find((x) => x.roles.includes(role) && x.token);
  if (!p?.token) throw new Error(`the demo config has no ${role} with a plain token`);
  return p.token;
};

const toTemplateEvent = (e: CloudEvent): TemplateEvent => ({ source: e.source, type: e.type, json: JSON.stringify({ ...e, id: ID_PLACEHOLDER }) });

/** The demo's cases as templates: published facts only (no `bad-` events, nothing tied to a meeting). */
function rawTemplates(now: Date): { caseId: string; events: CloudEvent[] }[] {
  const byCase = new Map<string, CloudEvent[]>();
  for (const step of demoScenario(now)) {
    if (step.kind !== 'publish') continue;
    for (const e of step.events) {
      if (e.id.startsWith('bad-') || e.type === 'action_item.completed' || JSON.stringify(e).includes('ref:')) continue;
      let list = byCase.get(e.subject);
      if (!list) byCase.set(e.subject, (list = []));
      list.push(e);
    }
  }
  return [...byCase].filter(([, events]) => events[0]?.type === 'case.registered').map(([caseId, events]) => ({ caseId, events }));
}

function findCycle(events: readonly CloudEvent[]): HandoffCycle | null {
  const byHandoff = new Map<string, CloudEvent[]>();
  for (const e of events) {
    const id = e.data.handoffId;
    if (typeof id !== 'string') continue;
    let list = byHandoff.get(id);
    if (!list) byHandoff.set(id, (list = []));
    list.push(e);
  }
  for (const [handoffId, list] of byHandoff) {
    const [requested, ...followUps] = list;
    if (!requested || requested.type !== 'handoff.requested' || requested.data.previousHandoffId !== undefined) continue;
    const receiver = requested.data.to as string;
    if (followUps.at(-1)?.type !== 'handoff.completed' || followUps.some((f) => f.source !== receiver || f.type === 'handoff.returned')) continue;
    return { handoffId, requester: requested.source, receiver, requested: toTemplateEvent(requested), followUps: followUps.map(toTemplateEvent) };
  }
  return null;
}

function splitAtClosing(events: readonly CloudEvent[]): { opening: TemplateEvent[]; closing: TemplateEvent[] } {
  const at = events.findIndex((e) => e.type === 'case.closed');
  const cut = at < 0 ? events.length : at;
  return { opening: events.slice(0, cut).map(toTemplateEvent), closing: events.slice(cut).map(toTemplateEvent) };
}

/**
 * Runs one copy of each template (with two added handoffs) through the real ingest pipeline in memory and
 * keeps what the platform accepts: facts it refuses are left out; a template whose added handoffs are
 * refused is copied at its own length.
 */
async function checkedTemplates(candidates: CaseTemplate[], config: PlatformConfig): Promise<{ templates: CaseTemplate[]; dropped: number }> {
  const store = openSqliteEventStore({ path: ':memory:' });
  const rejections = openSqliteRejectionStore({ database: store.database });
  const agencies = agencyDirectory(config);
  const pipeline = createIngestPipeline({ store, rejections, validator: createValidator(), agencies, copyNoticeRecipients: config.copyNoticeRecipients, clock: systemClock });
  const out: CaseTemplate[] = [];
  let dropped = 0;
  let probe = 0;
  try {
    for (const candidate of candidates) {
      let template = candidate;
      for (let attempt = 0; attempt < 3; attempt++) {
        const trial: BenchCase = benchCase(`${template.caseId}-check${probe++}`, template, template.cycle ? 2 : 0, 2);
        const refused = new Set<number>();
        for (let k = 0; k < trial.length; k++) {
          const { source, json } = eventAt(trial, k);
          const [result] = await pipeline.ingest([{ value: JSON.parse(json), raw: json }], { agency: agencies.get(source)!, principal: null, channel: 'http' });
          if (result?.status !== "accepted") { refused.add(k); if (process.env.BENCH_DEBUG) console.error(template.caseId, k, result); }
        }
        if (refused.size === 0) break;
        const openingLength = template.opening.length;
        const cycleEnd = openingLength + trial.cycles * (1 + (template.cycle?.followUps.length ?? 0));
        const cycleRefused = [...refused].some((k) => k >= openingLength && k < cycleEnd);
        const keep = <T>(list: readonly T[], offset: number) => list.filter((_, i) => !refused.has(offset + i));
        const opening = keep(template.opening, 0);
        const closing = keep(template.closing, cycleEnd);
        dropped += template.opening.length - opening.length + template.closing.length - closing.length;
        template = { ...template, opening, closing, cycle: cycleRefused ? null : template.cycle };
      }
      if (template.opening.length > 0) out.push(template);
    }
  } finally {
    await store.close();
  }
  return { templates: out, dropped };
}

/** Only what the registering agency publishes itself (Kafka: one topic and partition per case). */
function ownFactsOnly(t: CaseTemplate): CaseTemplate {
  const own = (list: readonly TemplateEvent[]) => list.filter((e) => e.source === t.registrar);
  const cycle = t.cycle && t.cycle.requester === t.registrar ? { ...t.cycle, followUps: [] } : null;
  return { ...t, opening: own(t.opening), closing: own(t.closing), cycle };
}

export function benchCase(id: string, template: CaseTemplate, cycles: number, block: number): BenchCase {
  const perCycle = template.cycle ? 1 + template.cycle.followUps.length : 0;
  const n = template.cycle ? cycles : 0;
  return { id, template, cycles: n, block: Math.max(1, block), length: template.opening.length + n * perCycle + template.closing.length };
}

const renamed = (json: string, from: string, to: string): string => json.split(from).join(to);

/**
 * The k-th event of a case as CloudEvents JSON. Added handoffs come in blocks: the requester sends `block`
 * requests, then the receiver receives and completes them — two runs of one agency each, so a batch carries
 * several events of one case, as an agency's system catching up would send them.
 */
export function eventAt(c: BenchCase, k: number): { source: string; json: string; subject: string } {
  const t = c.template;
  let event: TemplateEvent;
  let handoffCopy = 0;
  if (k < t.opening.length) {
    event = t.opening[k]!;
  } else {
    const cycle = t.cycle;
    const followUps = cycle?.followUps.length ?? 0;
    const perCycle = 1 + followUps;
    const added = c.cycles * perCycle;
    const j = k - t.opening.length;
    if (cycle && j < added) {
      const blockLength = c.block * perCycle;
      const blockIndex = Math.floor(j / blockLength);
      const inBlock = Math.min(c.block, c.cycles - blockIndex * c.block);
      const r = j - blockIndex * blockLength;
      if (r < inBlock) {
        event = cycle.requested;
        handoffCopy = blockIndex * c.block + r + 1;
      } else {
        const f = r - inBlock;
        event = cycle.followUps[f % followUps]!;
        handoffCopy = blockIndex * c.block + Math.floor(f / followUps) + 1;
      }
    } else {
      event = t.closing[j - added]!;
    }
  }
  let json = event.json;
  if (handoffCopy > 0) json = renamed(json, `"${t.cycle!.handoffId}"`, `"${t.cycle!.handoffId}-p${handoffCopy}"`);
  json = renamed(json, t.caseId, c.id).replace(ID_PLACEHOLDER, `${c.id}-e${k}`);
  return { source: event.source, json, subject: c.id };
}

export async function buildWorkload(options: WorkloadOptions): Promise<Workload> {
  const config = demoConfig();
  const candidates: CaseTemplate[] = rawTemplates(options.now).map(({ caseId, events }) => ({
    caseId,
    kind: String(events[0]!.data.kind),
    registrar: events[0]!.source,
    ...splitAtClosing(events),
    cycle: findCycle(events),
  }));
  const kafka = options.channel === 'kafka';
  const { templates, dropped } = await checkedTemplates(kafka ? candidates.map(ownFactsOnly) : candidates, config);
  if (templates.length === 0) throw new Error('no usable case template in the demo scenario');

  const BLOCK = 8;
  const cycleTemplates = templates.filter((t) => t.cycle);
  const longTemplate = cycleTemplates[0] ?? templates[0]!;
  const longPerCycle = longTemplate.cycle ? 1 + longTemplate.cycle.followUps.length : 1;
  const longCycles = Math.max(0, Math.round((options.longCaseEvents - longTemplate.opening.length - longTemplate.closing.length) / longPerCycle));
  const longCase = benchCase(options.idPrefix ? `${options.idPrefix}-long-0001` : 'bench-long-0001', longTemplate, longCycles, Math.max(BLOCK, Math.ceil(longCycles / 4)));

  // cases without a handoff to repeat keep their length; the others share what is left
  const picks = Array.from({ length: options.cases }, (_, i) => templates[i % templates.length]!);
  const fixed = picks.reduce((n, t) => n + t.opening.length + t.closing.length, 0);
  const perCycleOf = (t: CaseTemplate) => (t.cycle ? 1 + t.cycle.followUps.length : 0);
  const cycleUnits = picks.reduce((n, t) => n + perCycleOf(t), 0);
  const budget = Math.max(0, options.events - longCase.length - fixed);
  const cyclesEach = cycleUnits > 0 ? budget / cycleUnits : 0;
  let carry = 0;
  const cases = picks.map((t, i) => {
    const exact = t.cycle ? cyclesEach + carry : 0;
    const cycles = Math.max(0, Math.round(exact));
    if (t.cycle) carry = exact - cycles;
    return benchCase(`${options.idPrefix ?? 'b'}${String(i + 1).padStart(5, '0')}-${t.caseId}`, t, cycles, BLOCK);
  });
  const all = [...cases, longCase];
  return { cases: all, longCase, events: all.reduce((n, c) => n + c.length, 0), templates, droppedTemplateEvents: dropped };
}

export interface Batch {
  /** the publishing agency */
  agencyId: string;
  /** CloudEvents JSON texts, in order */
  events: string[];
}

/**
 * Cuts the workload into publisher batches of at most `size` events, in an order that respects every case's
 * own order. Greedy: the agency with the most cases waiting on it sends next; the longest cases go first so
 * the long case does not trail behind in a tail of tiny batches.
 */
export function* batches(workload: Pick<Workload, 'cases'>, size: number): Generator<Batch> {
  const cases = workload.cases;
  const next = new Int32Array(cases.length);
  /** agency → cases whose next event it publishes (a Set iterates in insertion order) */
  const waiting = new Map<string, Set<number>>();
  /** agency → events still to come in the cases waiting on it: the critical path goes first */
  const weight = new Map<string, number>();
  const counted = new Float64Array(cases.length);
  const enqueue = (i: number): void => {
    const c = cases[i]!;
    if (next[i]! >= c.length) return;
    const source = eventAt(c, next[i]!).source;
    let set = waiting.get(source);
    if (!set) waiting.set(source, (set = new Set()));
    set.add(i);
    counted[i] = c.length - next[i]!;
    weight.set(source, (weight.get(source) ?? 0) + counted[i]!);
  };
  [...cases.keys()].sort((a, b) => cases[b]!.length - cases[a]!.length).forEach(enqueue);
  // cases far longer than the rest go first whenever their agency sends, or they would trail in tiny batches
  const average = cases.reduce((n, c) => n + c.length, 0) / Math.max(1, cases.length);
  const long = [...cases.keys()].filter((i) => cases[i]!.length > 4 * average);
  for (;;) {
    let agencyId: string | null = null;
    let heaviest = 0;
    for (const [agency, w] of weight) if (w > heaviest && waiting.get(agency)?.size) [agencyId, heaviest] = [agency, w];
    if (agencyId === null) return;
    const set = waiting.get(agencyId)!;
    const events: string[] = [];
    const taken: number[] = [];
    const order = long.length > 0 ? [...long.filter((i) => set.has(i)), ...set] : set;
    for (const i of order) {
      if (events.length >= size) break;
      if (taken.includes(i)) continue;
      const c = cases[i]!;
      while (events.length < size && next[i]! < c.length) {
        const e = eventAt(c, next[i]!);
        if (e.source !== agencyId) break;
        events.push(e.json);
        next[i] = next[i]! + 1;
      }
      taken.push(i);
    }
    for (const i of taken) {
      set.delete(i);
      weight.set(agencyId, weight.get(agencyId)! - counted[i]!);
      enqueue(i);
    }
    yield { agencyId, events };
  }
}

/** "2024Q3": the quarter of an instant, by its China-time date (graphql.md `scorecard(quarter)`) */
export const quarterOf = (time: string): string => {
  const china = new Date(Date.parse(time) + 8 * 3600_000);
  return `${china.getUTCFullYear()}Q${Math.floor(china.getUTCMonth() / 3) + 1}`;
};

/**
 * The quarter in which most of the workload's events happened (envelope `time`, China date): the scorecard
 * question with the most to count. Exact without rendering a million events: a copy of a template carries the
 * template's times, its added handoffs those of the template's repeated handoff.
 */
export function busiestQuarter(workload: Pick<Workload, 'cases'>): string {
  const counts = new Map<string, number>();
  const add = (e: TemplateEvent, n: number) => {
    if (n <= 0) return;
    const q = quarterOf(String((JSON.parse(e.json) as { time: string }).time));
    counts.set(q, (counts.get(q) ?? 0) + n);
  };
  const perTemplate = new Map<CaseTemplate, { fixed: number; cycles: number }>();
  for (const c of workload.cases) {
    const seen = perTemplate.get(c.template) ?? { fixed: 0, cycles: 0 };
    perTemplate.set(c.template, { fixed: seen.fixed + 1, cycles: seen.cycles + c.cycles });
  }
  for (const [t, { fixed, cycles }] of perTemplate) {
    for (const e of [...t.opening, ...t.closing]) add(e, fixed);
    if (t.cycle) for (const e of [t.cycle.requested, ...t.cycle.followUps]) add(e, cycles);
  }
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? quarterOf(new Date().toISOString());
}
