/**
 * The projections of a deployment shared among its `liandong project` replicas: one lease per projection
 * (`projector:<name>`), each run by its own ProjectionOwnership (its own term, fencing token, read model store
 * instance and runner), so each projection fails over on its own when its owner dies, and a poison event in one
 * never stops the others.
 *
 * Who takes what is decided by a small rule over the roster (ports/lease.ts LeaseRoster: the live replicas and
 * the holder of every projection lease, refreshed once per heartbeat), see `balance` below:
 *   - take a free lease only while holding fewer than the fair share, ceil(projections / live replicas), and no
 *     more than the live replica holding fewest — so a free lease goes to whoever has least;
 *   - hand one over (release it at once) when every lease is held and another live replica holds at least two
 *     fewer — so a replica
 *     that started alone and took everything gives projections to one that joins, one per heartbeat, until the
 *     counts differ by at most one.
 * Ownership never depends on the rule being right: every projection still has at most one holder at a time
 * (its lease), and its commits are fenced by that lease's term and by the store's checkpoint check. A replica
 * that dies drops out of the roster when its heartbeat expires (the leases' TTL), its leases expire at the same
 * time, and the others' fair share grows to cover them.
 */
import type { Lease, LeaseRoster, RosterView } from '../../ports/lease.js';
import type { OwnershipLog, OwnershipShare, ProjectionOwnership } from './projectionOwnership.js';

export interface BalanceInput {
  /** projections (leases) shared */
  total: number;
  /** live replicas, this one included (at least 1) */
  replicas: number;
  /** leases this replica holds or is trying to take */
  mine: number;
  /** leases held by each of the other live replicas (one entry per live replica, 0 for none) */
  others: readonly number[];
  /** leases nobody holds */
  free: number;
}

/** the sharing rule (see the top of this file), a pure function of the counts */
export function balance({ total, replicas, mine, others, free }: BalanceInput): { take: boolean; handOver: boolean } {
  const fairShare = Math.ceil(total / Math.max(1, replicas));
  const fewest = others.length === 0 ? Number.POSITIVE_INFINITY : Math.min(...others);
  // while a lease is free the replica with fewest takes it (it is below the fair share, or none would be free),
  // so handing one over only moves work about; once all are held, a gap of two or more is closed one by one
  return { take: mine < fairShare && mine <= fewest, handOver: free === 0 && mine >= fewest + 2 };
}

export interface SharedProjectionsDeps {
  roster: LeaseRoster;
  /** projection name → its lease (held as `roster.self`) */
  leases: ReadonlyMap<string, Lease>;
  /** the ownership of one projection's lease, following `share` */
  createOwnership(projection: string, lease: Lease, share: OwnershipShare): ProjectionOwnership;
  log: OwnershipLog;
  /** how often the roster is refreshed (default: a third of the TTL, at most 1000 ms, like the acquire interval) */
  heartbeatIntervalMs?: number;
}

export interface SharedProjections {
  /** joins the roster (one heartbeat, so the first decisions count the others) and starts every ownership */
  start(): Promise<void>;
  /** projection name → its ownership */
  readonly ownerships: ReadonlyMap<string, ProjectionOwnership>;
  /** the projections this replica owns now */
  owned(): string[];
  /** stops every ownership (each finishes its in-flight work and releases its lease) and leaves the roster */
  stop(): Promise<void>;
}

export function createSharedProjections(deps: SharedProjectionsDeps): SharedProjections {
  const { roster, leases, log } = deps;
  const names = [...leases.keys()];
  const leaseNames = names.map((name) => leases.get(name)!.name);
  const ttlMs = Math.min(...[...leases.values()].map((lease) => lease.ttlMs));
  const heartbeatIntervalMs = deps.heartbeatIntervalMs ?? Math.min(1000, Math.floor(ttlMs / 3));
  let view: RosterView = { live: [roster.self], holders: new Map() };
  /** projections whose lease an ownership is trying to take right now (counted as held until the answer) */
  const acquiring = new Set<string>();
  /** the projection being handed over, one at a time */
  let handingOver: string | null = null;
  let timer: NodeJS.Timeout | null = null;
  let beating: Promise<void> | null = null;
  let stopped = false;

  const ownerships = new Map<string, ProjectionOwnership>();
  const owned = (): string[] => names.filter((name) => ownerships.get(name)?.state().role === 'owner');

  const decide = (): { take: boolean; handOver: boolean } => {
    const counts = new Map<string, number>(view.live.filter((replica) => replica !== roster.self).map((replica) => [replica, 0]));
    for (const holder of view.holders.values()) {
      // a holder that is not live (it died; its lease has not expired yet) counts for nobody
      if (holder !== null && counts.has(holder)) counts.set(holder, counts.get(holder)! + 1);
    }
    const mine = new Set([...owned(), ...acquiring]).size;
    const free = [...view.holders.values()].filter((holder) => holder === null).length;
    return balance({ total: names.length, replicas: counts.size + 1, mine, others: [...counts.values()], free });
  };

  const heartbeat = async (): Promise<void> => {
    try {
      view = await roster.heartbeat(leaseNames);
    } catch (error) {
      // the leases fail the same way and their owners stop on their own; the last view stands meanwhile
      log.warn(`无法刷新投影副本名册（${error instanceof Error ? error.message : String(error)}），沿用上次的结果`);
      return;
    }
    if (handingOver !== null && ownerships.get(handingOver)?.state().role !== 'owner') handingOver = null;
    if (handingOver === null && decide().handOver) {
      // the last one in the list: any would do, and a fixed choice keeps the logs easy to follow
      handingOver = owned().at(-1) ?? null;
      if (handingOver !== null) log.info(`本副本持有 ${owned().length} 个投影，另有副本持有更少：让出 ${handingOver}`);
    }
  };

  for (const name of names) {
    const share: OwnershipShare = {
      beforeAcquire() {
        if (stopped || !decide().take) return false;
        acquiring.add(name);
        return true;
      },
      afterAcquire() {
        acquiring.delete(name);
      },
      shouldHandOver: () => handingOver === name,
    };
    ownerships.set(name, deps.createOwnership(name, leases.get(name)!, share));
  }

  return {
    ownerships,
    owned,
    async start() {
      await heartbeat();
      timer = setInterval(() => {
        if (beating !== null) return;
        beating = heartbeat().finally(() => (beating = null));
      }, heartbeatIntervalMs);
      for (const ownership of ownerships.values()) ownership.start();
    },
    async stop() {
      stopped = true;
      if (timer !== null) clearInterval(timer);
      await beating;
      await Promise.all([...ownerships.values()].map((ownership) => ownership.stop()));
      await roster.leave().catch((error: unknown) => log.warn(`离开投影副本名册失败（将在 TTL 后自然过期）：${error instanceof Error ? error.message : String(error)}`));
    },
  };
}
