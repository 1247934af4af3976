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
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const reject = (code: RejectionCode, message: string): never => {
  throw new DomainError(code, message);
};
