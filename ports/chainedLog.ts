/**
 * The hash-chained, append-only logs (the access log, the rejections) as adapters expose them to the auditor
 * (infra/audit/logChain.ts verifies them; docs/audit.md "Access log and rejections: their chains").
 */

export interface ChainHead {
  /** the newest entry ever written (0: none) */
  lastId: bigint;
  lastHash: string | null;
  /** the newest entry removed by retention (0: none); the oldest stored entry is the next one */
  prunedId: bigint;
  prunedHash: string | null;
}

export interface ChainRow {
  id: bigint;
  hash: string | null;
  prevHash: string | null;
  /** the record as the port returns it (its `id` a decimal string): what the hash covers */
  record: object;
}

export interface ChainPage {
  /** the head in the same snapshot as the rows */
  head: ChainHead;
  /** entries with id > the given one, in id order */
  rows: ChainRow[];
}

export interface ChainReader {
  read(afterId: bigint, max: number): Promise<ChainPage>;
  close(): Promise<void>;
}

/** a log whose entries are hash-chained: the access log, the rejections */
export interface ChainedLog {
  /** what findings call it: 访问日志, 退回记录 */
  readonly chainName: string;
  openChain(): Promise<ChainReader>;
}

export interface LogFinding {
  /** the entry where the log stops matching its chain; null when none can be named */
  id: string | null;
  message: string;
}

export interface LogReport {
  /** chainName */
  name: string;
  ok: boolean;
  /** entries whose hash was recomputed and whose link was checked */
  checked: number;
  /** the smallest id any finding names */
  firstBrokenId: string | null;
  /** the first finding (with how many more), or a summary */
  detail: string;
  /** at most maxFindings, in the order found */
  findings: LogFinding[];
  findingCount: number;
}
