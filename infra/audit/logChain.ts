/**
 * The hash chain of the platform's append-only logs — the access log and the rejections (docs/audit.md
 * "Access log and rejections: their chains") — and its verification.
 *
 *   hash = lower-case hex SHA-256 of the UTF-8 bytes of the canonical JSON (RFC 8785, canonicalJson.ts) of
 *          the record as the port returns it (AccessRecord / RejectionRecord, `id` a decimal string)
 *          plus one member `prevHash`: the previous entry's hash, null for the first entry ever written
 *
 * Each table has a one-row head (`…_head`) holding the newest id and hash and, for the access log, the id and
 * hash of the newest entry pruned by retention. Ids are dense (1, 2, 3, …: the next id is the head's + 1, and
 * a rolled-back write gives its ids back), so a deleted entry is named by its own id; the first remaining
 * entry must follow the pruned one, and the newest must be the head, so deleting the oldest or newest
 * entries shows too. The database refuses UPDATE, DELETE (but retention's), TRUNCATE and every form of
 * REPLACE, and an INSERT that is not the next id chained onto the head; this walk finds what was done with
 * the triggers switched off.
 */
import { hash } from 'node:crypto';
import { canonicalJson } from '../../ports/canonicalJson.js';
import type { ChainHead, ChainedLog, LogFinding, LogReport } from '../../ports/chainedLog.js';

/** the hash of an entry: `record` as the port returns it (no `prevHash` member of its own) */
export function chainHash(record: object, prevHash: string | null): string {
  return hash('sha256', canonicalJson({ ...record, prevHash }), 'hex');
}

/** the hashes of `records`, in order, each chained onto the one before (the first onto `prevHash`) */
export function chainLinks(records: readonly object[], prevHash: string | null): { hashes: string[]; prevHashes: (string | null)[]; lastHash: string | null } {
  const hashes: string[] = [];
  const prevHashes: (string | null)[] = [];
  let lastHash = prevHash;
  for (const record of records) {
    const hash = chainHash(record, lastHash);
    hashes.push(hash);
    prevHashes.push(lastHash);
    lastHash = hash;
  }
  return { hashes, prevHashes, lastHash };
}

export async function verifyChain(
  log: ChainedLog,
  /** `pause` lets the event loop turn between pages (verify.ts `slices`); a SQLite page is read synchronously */
  options: { pageSize?: number; maxFindings?: number; pause?: () => Promise<void> } = {},
): Promise<LogReport> {
  const pageSize = options.pageSize ?? 1000;
  const maxFindings = options.maxFindings ?? 100;
  const name = log.chainName;
  const findings: LogFinding[] = [];
  let findingCount = 0;
  let first: { id: bigint | null; finding: LogFinding } | null = null;
  const find = (id: bigint | null, message: string): void => {
    findingCount += 1;
    const finding = { id: id === null ? null : id.toString(), message };
    if (findings.length < maxFindings) findings.push(finding);
    if (first === null || (id !== null && (first.id === null || id < first.id))) first = { id, finding };
  };
  const missing = (from: bigint, to: bigint, why: string): string =>
    from === to ? `${name}条目 ${from} 不见了（${why}）` : `${name}条目 ${from}–${to} 共 ${to - from + 1n} 条不见了（${why}）`;

  const reader = await log.openChain();
  let checked = 0;
  let head: ChainHead;
  try {
    let page = await reader.read(0n, pageSize);
    const start = page.head;
    head = start;
    // the chain starts after the newest pruned entry
    let expected = start.prunedId + 1n;
    let previous: { id: bigint | null; hash: string | null } = { id: start.prunedId === 0n ? null : start.prunedId, hash: start.prunedHash };
    for (;;) {
      for (const row of page.rows) {
        const id = row.id;
        if (id < expected) {
          find(id, `${name}条目 ${id} 本应已被清理或排在条目 ${expected - 1n} 之前：条目被插入或清理记录被改动`);
          continue;
        }
        let gap = false;
        if (id > expected) {
          find(expected, missing(expected, id - 1n, '被删除'));
          gap = true;
        }
        checked += 1;
        if (row.hash === null) {
          find(id, `${name}条目 ${id} 没有哈希：它不是经平台写入的`);
        } else {
          // after a gap the link cannot hold; the gap is the finding
          if (!gap && row.prevHash !== previous.hash) {
            find(
              id,
              previous.id === null
                ? `${name}条目 ${id} 的 prevHash 与链首不符：前面的条目被删除或改动`
                : `${name}条目 ${id} 的 prevHash 与条目 ${previous.id} 的哈希不符：链条断开（条目 ${previous.id} 被替换，或本条目被移动）`,
            );
          }
          const recomputed = chainHash(row.record, row.prevHash);
          if (recomputed !== row.hash) {
            find(id, `${name}条目 ${id} 的内容与存储的哈希不符：条目被改动（存储 ${row.hash.slice(0, 16)}…，按内容算得 ${recomputed.slice(0, 16)}…）`);
          }
        }
        previous = { id, hash: row.hash };
        expected = id + 1n;
      }
      head = page.head;
      if (page.rows.length < pageSize) break;
      await options.pause?.();
      page = await reader.read(page.rows.at(-1)!.id, pageSize);
    }
    // the newest entry must be the head's
    if (expected - 1n < head.lastId) {
      find(expected, missing(expected, head.lastId, `日志头记录最新条目为 ${head.lastId}`));
    } else if (expected - 1n > head.lastId) {
      find(head.lastId + 1n, `${name}条目 ${head.lastId + 1n} 起在日志头（最新条目 ${head.lastId}）之后：条目不是经平台写入的`);
    } else if (previous.hash !== head.lastHash && findingCount === 0) {
      find(head.lastId, `${name}条目 ${head.lastId} 的哈希与日志头记录的不同：条目被替换`);
    }
  } finally {
    await reader.close();
  }

  const firstFinding = (first as { finding: LogFinding } | null)?.finding ?? null;
  const ok = findingCount === 0;
  return {
    name,
    ok,
    checked,
    firstBrokenId: firstFinding?.id ?? null,
    detail: ok
      ? `${name}：${checked} 条的哈希链完整${head.lastId > 0n ? `（至条目 ${head.lastId}${head.prunedId > 0n ? `，条目 ${head.prunedId} 及以前已按保留期清理` : ''}）` : ''}`
      : firstFinding!.message + (findingCount > 1 ? `（另有 ${findingCount - 1} 处问题）` : ''),
    findings,
    findingCount,
  };
}
