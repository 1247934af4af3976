import type { AgencyDirectory } from '../shared/agencies.js';

/** What a decision may look up besides the stream's own state: passed in, never loaded by the domain. */
export interface DecisionContext {
  readonly agencies: AgencyDirectory;
  /** configured `copyNoticeRecipients` (operations.md), added to every copy notice */
  readonly copyNoticeRecipients: readonly string[];
  /** the platform clock at decision time (RFC 3339) */
  readonly now: string;
  /** the configured principal that sent the fact, when known */
  readonly principal: string | null;
}
