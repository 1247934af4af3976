/**
 * The Lease port: one holder at a time for a named piece of work (the projections of a deployment), for a
 * bounded time that the holder keeps extending. Each grant carries a fencing token that only ever increases,
 * so every term of ownership has an identity no earlier or later term shares.
 */

export interface LeaseGrant {
  /** increases with every grant of this lease, never reused (the fencing token) */
  token: bigint;
  /** who holds it: `host:pid:random`, for operators and logs */
  holder: string;
  /** what the lease key holds during this term: `<token>|<holder>`; renewals and releases compare it */
  value: string;
  /**
   * local clock (Date.now()) before which the grant is certainly still ours: the send time of the last
   * successful acquire/renew plus the TTL, minus a margin for clock-rate drift. After it, stop writing.
   */
  validUntil: number;
}

export interface LeaseHolder {
  holder: string;
  token: bigint;
  /** ms until it expires unless renewed */
  expiresInMs: number;
}

export interface Lease {
  readonly name: string;
  readonly ttlMs: number;
  /** takes the lease if nobody holds it; null when someone does */
  acquire(): Promise<LeaseGrant | null>;
  /** extends a grant that is still ours; null when it is not (expired and maybe taken) */
  renew(grant: LeaseGrant): Promise<LeaseGrant | null>;
  /** whether the lease key still holds this grant's value (a round trip) */
  holds(grant: LeaseGrant): Promise<boolean>;
  /** gives the lease up if it is still ours, so a standby need not wait for the TTL */
  release(grant: LeaseGrant): Promise<void>;
  /** who holds it now, null when nobody */
  current(): Promise<LeaseHolder | null>;
  close(): Promise<void>;
}

/** a write refused because this process does not (or no longer) hold the lease */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
  constructor(
    readonly lease: string,
    readonly token: bigint,
    reason: string,
  ) {
    super(`lease ${lease} (token ${token}) is no longer held: ${reason}`);
  }
}

/**
 * Who else shares the work of a set of leases (the `liandong project` replicas of a deployment), so each
 * replica can take its share of the projections and no more. Membership is a heartbeat with the leases'
 * TTL: a replica that stops beating drops out when its leases would expire anyway.
 */
export interface LeaseRoster {
  /** this replica's name among the others: the holder of every lease it takes */
  readonly self: string;
  /**
   * announces this replica alive for another TTL and answers, in one round trip, the live replicas (itself
   * included) and the current holder of each named lease (null when free)
   */
  heartbeat(leases: readonly string[]): Promise<RosterView>;
  /** drops this replica at once (a clean stop), so the others count it out without waiting for the TTL */
  leave(): Promise<void>;
  close(): Promise<void>;
}

export interface RosterView {
  live: string[];
  /** lease name → holder, null when nobody holds it */
  holders: Map<string, string | null>;
}
