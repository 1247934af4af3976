/**
 * Parking in the ingest pipeline (events.md §5 `parked`): which new events must wait behind a parked one of the
 * same publisher and case, and the attendant that tries parked events again. The pipeline decides; this module
 * keeps the order and the timing.
 */
import type { AgencyDirectory } from '../../domain/shared/agencies.js';
import type { Clock } from '../../ports/clock.js';
import type { EventStore } from '../../ports/eventStore.js';
import type { ParkedEvent, ParkingChannel, ParkingLot } from '../../ports/parkingLot.js';
import type { RejectionStore } from '../../ports/rejectionStore.js';
import type { IncomingEvent, IngestResult, Sender } from './pipeline.js';

/** how often the attendant looks whether parked events can go on or have run out of time */
const PARKING_TICK_MS = 1000;
/** parked events tried again in one pass, oldest first */
const PARKING_PASS = 1000;

/**
 * Which (publisher, case) pairs have an event parked ahead of this group's events. A parked event tried again is
 * held up only by an older parked one of its pair held again in this group; a new event also by any held in this
 * group and by the lot — unless this group has already tried that pair's parked events again (a pass takes the
 * whole lot, oldest first) and none of them is held still.
 */
export async function parkingQueue(lot: ParkingLot | undefined, newPairs: readonly { source: string; subject: string }[]) {
  const heldAgain = new Map<string, string>();
  const heldNew = new Map<string, string>();
  const triedAgain = new Set<string>();
  const inLot = lot && newPairs.length > 0 ? await lot.waiting(newPairs) : new Set<string>();
  return {
    /** an event ahead of this one that is still parked (its id, when it is in this group), or null */
    aheadOf(pair: string, retrying: boolean): { id: string | null } | null {
      const held = heldAgain.get(pair) ?? (retrying ? undefined : heldNew.get(pair));
      if (retrying) triedAgain.add(pair);
      if (held !== undefined) return { id: held };
      return !retrying && inLot.has(pair) && !triedAgain.has(pair) ? { id: null } : null;
    },
    hold(pair: string, id: string, retrying: boolean): void {
      const held = retrying ? heldAgain : heldNew;
      if (!held.has(pair)) held.set(pair, id);
    },
  };
}

/** a parked event handed back to the pipeline to be decided again */
export interface RetriedItem {
  incoming: IncomingEvent;
  sender: Sender;
  parked: ParkedEvent;
}

export interface AttendantDeps {
  lot: ParkingLot;
  /** the channels whose parked events this process tries again (default: all) */
  channels?: readonly ParkingChannel[];
  store: Pick<EventStore, 'headPosition'>;
  agencies: AgencyDirectory;
  clock: Clock;
  rejections: Pick<RejectionStore, 'record'>;
  /** decides the items through the pipeline's queue, in order with every other batch */
  submit(items: RetriedItem[]): Promise<IngestResult[]>;
  onParkedOutcome?(outcomes: readonly { event: ParkedEvent; result: IngestResult }[]): Promise<void>;
  warn?(message: string): void;
}

/**
 * The parking attendant: tries the parked events again, oldest first, as soon as this process has stored
 * something and on every tick when anything was stored (by any replica) or a window has passed since it last
 * looked. The tries go through the same queue as every batch, so they keep their order with the rest.
 */
export function createParkingAttendant(deps: AttendantDeps) {
  const { store, agencies, clock } = deps;
  let running: Promise<void> | null = null;
  let again = false;
  let maybeParked = true; // until a pass finds the lot empty
  let lookedAtHead: bigint | null | undefined;
  let stopped = false;

  async function pass(): Promise<void> {
    lookedAtHead = await store.headPosition();
    const listed = await deps.lot.list(PARKING_PASS);
    if (listed.length === 0) {
      maybeParked = false;
      return;
    }
    const entries = deps.channels ? listed.filter((e) => deps.channels!.includes(e.channel)) : listed;
    const items: RetriedItem[] = [];
    const gone: ParkedEvent[] = [];
    for (const event of entries) {
      const agency = agencies.get(event.agencyId);
      if (!agency) gone.push(event);
      else items.push({ incoming: { value: JSON.parse(event.raw) as unknown, raw: event.raw }, sender: { agency, principal: event.principal, channel: event.channel }, parked: event });
    }
    const outcomes: { event: ParkedEvent; result: IngestResult }[] = [];
    if (gone.length > 0) {
      // its sender is no longer configured: nothing can be decided for it, so it ends now, kept like any rejection
      const message = (e: ParkedEvent) => `发送机构「${e.agencyId}」已不在平台配置中，暂存的事件无法继续处理：${e.message}`;
      await deps.rejections.record(
        gone.map((e) => ({ agencyId: e.agencyId, source: e.source, channel: e.channel, receivedAt: clock.now().toISOString(), code: 'unknown_agency', message: message(e), eventId: e.eventId, eventType: e.type, raw: e.raw })),
      );
      for (const event of gone) outcomes.push({ event, result: { id: event.eventId, status: 'rejected', code: 'unknown_agency', message: message(event) } });
    }
    const results = items.length > 0 ? await deps.submit(items) : [];
    results.forEach((result, i) => {
      if (result.status !== 'parked') outcomes.push({ event: items[i]!.parked, result });
    });
    if (outcomes.length === 0) return;
    // released before they are reported: the rejection store already keeps each rejected one, and a report that
    // fails must not bring the same event back to be rejected (and kept) a second time
    await deps.lot.release(outcomes.map((o) => o.event.key));
    await deps.onParkedOutcome?.(outcomes).catch((e: unknown) => deps.warn?.(`暂存事件的结果未能回执：${(e as Error).message}`));
  }

  function start(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = pass()
      .catch((e: unknown) => deps.warn?.(`暂存事件重试失败，下一轮再试：${(e as Error).message}`))
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          start();
        }
      });
  }

  const tick = setInterval(() => {
    if (running || stopped) return;
    void (async () => {
      const stats = await deps.lot.stats();
      if (stats.count === 0) return;
      maybeParked = true;
      const expired = stats.nextExpiry !== null && Date.parse(stats.nextExpiry) <= clock.now().getTime();
      if (expired || (await store.headPosition()) !== lookedAtHead) start();
    })().catch((e: unknown) => deps.warn?.(`暂存事件检查失败：${(e as Error).message}`));
  }, PARKING_TICK_MS);
  tick.unref();
  start(); // what was parked before a restart goes on now

  return {
    /** this process stored something: what waited for it may go on */
    soon(): void {
      if (maybeParked) setImmediate(start);
    },
    parked(): void {
      maybeParked = true;
    },
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(tick);
      await running;
    },
    /** resolves once no pass is running or about to start (one asked for by soon() is waited for too) */
    async idle(): Promise<void> {
      for (;;) {
        await new Promise((r) => setImmediate(r));
        if (!running) return;
        await running;
      }
    },
  };
}
