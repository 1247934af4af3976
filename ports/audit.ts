/** What `liandong audit verify` and GraphQL `auditVerify` report (infra/audit/verify.ts, docs/audit.md "Verification"). */
import type { LogReport } from './chainedLog.js';

export interface AuditFinding {
  /** the position where the store stops matching its chains or checkpoints; null when none can be named */
  position: bigint | null;
  streamId: string | null;
  message: string;
}

export interface AuditReport {
  ok: boolean;
  /** events whose hash was recomputed and whose link was checked */
  checked: number;
  firstBrokenPosition: bigint | null;
  /** the first finding (with how many more), or a summary of what was verified */
  detail: string;
  /** in the order found, at most `maxFindings` */
  findings: AuditFinding[];
  findingCount: number;
  /** checkpoints whose signature and root were valid */
  checkpoints: number;
  /** the last valid checkpoint covers the events up to here; null without one */
  sealedThrough: bigint | null;
  /** events checked after that position (not yet sealed by a checkpoint) */
  unsealed: number;
  /** key ids that signed the valid checkpoints */
  keyIds: string[];
  /** the append-only logs verified with the whole store (access log, rejections), in the order given */
  logs: LogReport[];
}
