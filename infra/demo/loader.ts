/**
 * Loads the demo scenario into a running platform: publishes each batch through the normal ingest path and
 * runs each mutation as its agency, substituting `ref:` placeholders with the ids the platform returned
 * (scenario.ts explains the convention), and reports what was accepted, what was rejected on purpose
 * (ids starting with `bad-`), and anything unexpected, so start-up can warn instead of failing.
 */
import type { CloudEvent, DemoStep, MutationName } from './scenario.js';

export interface DemoLoadDeps {
  /** results in the order of `events` (the ingest pipeline's contract) */
  publish(agencyId: string, events: CloudEvent[]): Promise<{ status: string; code?: string; message?: string }[]>;
  /** runs the GraphQL mutation `name` as a principal of `asAgency`, at time `at`; resolves with the id of what it returned */
  mutate(name: MutationName, asAgency: string, at: string, args: Record<string, unknown>): Promise<{ id: string }>;
  /** after every step; units are events and mutations */
  onProgress?(done: number, total: number): void;
  /**
   * stops the load between steps (Ctrl+C during start-up): it rejects with the signal's reason. The event
   * loop turns before each step, so a process signal is seen there. The start-up marker (dataDir.ts) makes
   * the next start load the demo again.
   */
  signal?: AbortSignal;
}

export interface DemoLoadResult {
  /** published events stored (accepted, or duplicate when loaded into a store that already had them) */
  accepted: number;
  /** `bad-` events rejected, as intended (or parked, when what they name does not exist yet: rejected when the window passes) */
  rejected: number;
  /** of those, the ones parked (events.md §5): a mistyped case id waits for the parking window before it is rejected */
  parked?: number;
  /** mutations that succeeded */
  mutations: number;
  /** anything that did not go as the scenario intended: `<event id or mutation>: <code> <message>` */
  unexpected: string[];
}

const REF = 'ref:';

export class UnresolvedRefError extends Error {
  constructor(readonly ref: string) {
    super(`unresolved demo placeholder ${ref}`);
    this.name = 'UnresolvedRefError';
  }
}

/** Replaces every string `ref:<name>` (anywhere in a JSON value) with the id bound to `<name>`. */
export function resolveRefs<T>(value: T, refs: ReadonlyMap<string, string>): T {
  if (typeof value === 'string') {
    if (!value.startsWith(REF)) return value;
    const id = refs.get(value.slice(REF.length));
    if (id === undefined) throw new UnresolvedRefError(value);
    return id as T;
  }
  if (Array.isArray(value)) return value.map((v) => resolveRefs(v, refs)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveRefs(v, refs)])) as T;
  }
  return value;
}

const isBad = (event: CloudEvent): boolean => event.id.startsWith('bad-');
const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export async function loadDemo(steps: DemoStep[], deps: DemoLoadDeps): Promise<DemoLoadResult> {
  const refs = new Map<string, string>();
  const result: DemoLoadResult = { accepted: 0, rejected: 0, mutations: 0, unexpected: [] };
  const total = steps.reduce((n, s) => n + (s.kind === 'publish' ? s.events.length : 1), 0);
  let done = 0;

  for (const step of steps) {
    if (deps.signal) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      deps.signal.throwIfAborted();
    }
    if (step.kind === 'mutation') {
      const label = `${step.name}(${step.ref ?? JSON.stringify(step.args).slice(0, 80)})`;
      try {
        const { id } = await deps.mutate(step.name, step.asAgency, step.at, resolveRefs(step.args, refs));
        if (step.ref) refs.set(step.ref, id);
        result.mutations++;
      } catch (e) {
        result.unexpected.push(`${label}: ${(e as { code?: string }).code ?? 'error'} ${messageOf(e)}`);
      }
      deps.onProgress?.(++done, total);
      continue;
    }

    // an event whose placeholder cannot be resolved (its meeting failed to schedule) is not sent at all
    const events: CloudEvent[] = [];
    for (const event of step.events) {
      try {
        events.push({ ...event, subject: resolveRefs(event.subject, refs), data: resolveRefs(event.data, refs) });
      } catch (e) {
        result.unexpected.push(`${event.id}: not sent, ${messageOf(e)}`);
      }
    }
    if (events.length > 0) {
      const results = await deps.publish(step.agencyId, events);
      results.forEach((r, i) => {
        const event = events[i]!;
        const stored = r.status === 'accepted' || r.status === 'duplicate';
        if (isBad(event)) {
          if (stored) result.unexpected.push(`${event.id}: ${r.status}, but the demo meant it to be rejected`);
          else {
            result.rejected++;
            if (r.status === 'parked') result.parked = (result.parked ?? 0) + 1;
          }
        } else if (stored) {
          result.accepted++;
        } else {
          result.unexpected.push(`${event.id} (${event.type}): ${r.code ?? r.status} ${r.message ?? ''}`.trim());
        }
      });
      if (results.length !== events.length) result.unexpected.push(`publish as ${step.agencyId}: ${events.length} events sent, ${results.length} results`);
    }
    done += step.events.length;
    deps.onProgress?.(done, total);
  }
  return result;
}
