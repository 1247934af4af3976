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
