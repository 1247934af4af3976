/** Rejection codes of events.md §5. Fixed names: publishers match on them. */
export const REJECTION_CODES = [
  'invalid_envelope',
  'unknown_type',
  'invalid_data',
  'unauthorized',
  'unknown_case',
  'case_exists',
  'invalid_transition',
  'future_time',
  'unknown_agency',
] as const;
export type RejectionCode = (typeof REJECTION_CODES)[number];

/**
 * A business rule said no. `message` is Chinese, for the clerk who has to correct and resend (补正).
 * Deciders throw it; the ingest pipeline turns it into a kept rejection, GraphQL into BAD_USER_INPUT.
 */
export class DomainError extends Error {
  constructor(
    readonly code: RejectionCode,
    message: string,
    /**
     * the event refers to a fact the stream does not have yet — the case, or a handoff, hearing, judgment,
     * suggestion, notice or rectification of it — which another agency may still publish: events.md §5 parks
     * such an event instead of rejecting it at once, because agencies' topics deliver out of order
     */
    readonly awaitsFact: boolean = false,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const reject = (code: RejectionCode, message: string): never => {
  throw new DomainError(code, message);
};
