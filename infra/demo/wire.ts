import cliProgress from 'cli-progress';
import type { Agency, AgencyDirectory } from '../../domain/shared/agencies.js';
import { createContext, type GatewayServices } from '../../gateway/context.js';
import { resolvers } from '../../gateway/resolvers/index.js';
import type { PlatformConfig } from '../config/schema.js';
import type { IngestPipeline } from '../ingest/pipeline.js';
import { loadDemo, type DemoLoadResult } from './loader.js';
import { demoScenario } from './scenario.js';

type MutationResolver = (parent: unknown, args: Record<string, unknown>, ctx: unknown) => Promise<{ id?: string; item?: { actionId: string }; notice?: { id: string } }>;

/**
 * Loads the demo city through the same doors a user uses: events through the ingest pipeline as each
 * agency's publisher, meeting work through the GraphQL mutation resolvers as the organizer — each at the
 * scenario's own time, so meetings happen in the past and their clocks make sense today.
 */
export async function loadDemoCity(deps: { config: PlatformConfig; agencies: AgencyDirectory; pipeline: IngestPipeline; services: GatewayServices; now: Date; waitForProjections(position: bigint): Promise<void>; signal?: AbortSignal }): Promise<DemoLoadResult> {
  const publisherOf = (agencyId: string) => deps.config.principals.find((p) => p.agencyId === agencyId && p.roles.includes('publisher'));
  const organizer = deps.config.principals.find((p) => p.roles.includes('organizer'))!;
  const mutations = (resolvers as unknown as Record<string, Record<string, MutationResolver>>).Mutation!;
  const bar = new cliProgress.SingleBar({ format: '  载入演示数据 [{bar}] {percentage}% | {value}/{total}', hideCursor: true, clearOnComplete: false }, cliProgress.Presets.shades_classic);
  const steps = demoScenario(deps.now);
  let started = false;
  try {
    return await loadDemo(steps, {
      ...(deps.signal ? { signal: deps.signal } : {}),
      publish: async (agencyId, events) => {
        const agency = deps.agencies.get(agencyId) as Agency;
        const results = await deps.pipeline.ingest(
          events.map((e) => ({ value: e, raw: JSON.stringify(e) })),
          { agency, principal: publisherOf(agencyId)?.name ?? null, channel: 'http' },
        );
        // as over HTTP: later steps (an acknowledgement of the notice a judgment caused) read the read models
        const positions = results.flatMap((r) => (r.status === 'accepted' ? [BigInt(r.position)] : []));
        if (positions.length > 0) await deps.waitForProjections(positions.reduce((a, b) => (a > b ? a : b)));
        return results;
      },
      mutate: async (name, asAgency, at, args) => {
        // organizer work as the organizer; completions and acknowledgements as the owning agency
        const acting = name === 'completeActionItem' || name === 'acknowledgeNotice' ? (deps.config.principals.find((p) => p.agencyId === asAgency) ?? organizer) : organizer;
        const roles = name === 'completeActionItem' || name === 'acknowledgeNotice' ? (['viewer'] as const) : (['organizer'] as const);
        const principal = { name: acting.name, agency: deps.agencies.get(asAgency) ?? deps.agencies.get(acting.agencyId)!, roles: [...roles] };
        const ctx = createContext(principal, { ...deps.services, now: () => new Date(at) });
        const out = await mutations[name]!(undefined, args, ctx);
        return { id: out.id ?? out.item?.actionId ?? out.notice?.id ?? '' };
      },
      onProgress: (done, total) => {
        if (!started) {
          bar.start(total, 0);
          started = true;
        }
        bar.update(done);
      },
    });
  } finally {
    if (started) bar.stop();
  }
}
