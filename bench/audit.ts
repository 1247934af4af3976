/**
 * audit_verify and chain_overhead — the audit hash chain (infra/audit, infra/eventStore/eventHash.ts).
 *
 * The audit code is loaded at run time and looked up by name: while it is missing or incomplete, these two
 * metrics are reported as skipped with the reason, and the rest of the suite runs.
 *
 * - audit_verify: `verifyStore` over the whole store the ingest run wrote (every event's hash recomputed,
 *   every link and checkpoint checked), events/s. Baseline: the raw scan of the same store (rebuild.ts).
 * - chain_overhead: what computing the chain costs the ingest. The stores compute it inside append and have
 *   no switch to turn it off, so "without" cannot be run as such; instead the exact work the SQLite store does
 *   per event for the chain — canonical JSON of data and metadata, the chained text, SHA-256 — plus its one
 *   lookup of the stream's last hash per append, is timed alone over the same stored events, and set against
 *   the time per event of the HTTP ingest run (which includes it). Value: that share, in percent; baseline:
 *   the ingest rate without that work (1 / (t_ingest − t_chain)); ratio: with / without.
 */
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import type { EventStore, RecordedEvent } from '../ports/eventStore.js';
import type { SqliteDatabase } from '../infra/eventStore/sqliteDatabase.js';
import type { Step } from './progress.js';

const moduleUrl = (relative: string): string => new URL(relative, import.meta.url).href;

interface VerifyModule {
  verifyStore(options: { store: EventStore; trustedKeys: ReadonlyMap<string, unknown>; onProgress?(position: bigint, head: bigint | null): void }): Promise<{
    ok: boolean;
    checked: number;
    detail: string;
  }>;
}

interface KeyModule {
  loadPublicKey?(file: string): unknown;
  keyIdOf?(key: unknown): string;
  GENERATED_PUBLIC_KEY_FILE?: string;
}

interface HashModule {
  eventHashFromCanonical(canonicalData: string, canonicalMetadata: string, fields: { streamId: string; revision: number; type: string; time: string; recordedAt: string; prevHash: string | null }): string;
}

interface CanonicalModule {
  canonicalJson(value: unknown): string;
}

async function load<T>(relative: string, names: string[]): Promise<T | string> {
  try {
    const loaded = (await import(moduleUrl(relative))) as Record<string, unknown>;
    const missing = names.filter((n) => typeof loaded[n] !== 'function');
    return missing.length === 0 ? (loaded as T) : `${relative} has no ${missing.join(', ')} yet`;
  } catch (e) {
    return `${relative} cannot be loaded: ${(e as Error).message.split('\n')[0]}`;
  }
}

export interface VerifyRun {
  events: number;
  seconds: number;
  perSecond: number;
  ok: boolean;
  detail: string;
}

/** verifies the whole store; a string says why it could not be measured */
export async function verifyRate(store: EventStore, dataDir: string, step?: Step): Promise<VerifyRun | string> {
  const verify = await load<VerifyModule>('../infra/audit/verify.js', ['verifyStore']);
  if (typeof verify === 'string') return `审计校验尚未实现 (audit verify not built yet): ${verify}`;
  const keys = await load<KeyModule>('../infra/audit/signingKey.js', ['loadPublicKey', 'keyIdOf']);
  const trusted = new Map<string, unknown>();
  if (typeof keys !== 'string') {
    const file = join(dataDir, keys.GENERATED_PUBLIC_KEY_FILE ?? 'audit-signing-key.pub.pem');
    if (existsSync(file)) {
      const key = keys.loadPublicKey!(file);
      trusted.set(keys.keyIdOf!(key), key);
    }
  }
  const head = Number((await store.headPosition()) ?? 0n);
  step?.total(head);
  const started = process.hrtime.bigint();
  const report = await verify.verifyStore({ store, trustedKeys: trusted, onProgress: (position) => step?.update(Number(position)) });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { events: report.checked, seconds, perSecond: report.checked / seconds, ok: report.ok, detail: report.detail };
}

export interface ChainCost {
  events: number;
  /** seconds of chain work per event */
  perEvent: number;
}

/** times the SQLite store's per-event chain work over the stored events; a string says why not */
export async function chainCost(store: EventStore, database: SqliteDatabase, maxEvents: number, step?: Step): Promise<ChainCost | string> {
  const hash = await load<HashModule>('../infra/eventStore/eventHash.js', ['eventHashFromCanonical']);
  if (typeof hash === 'string') return `哈希链尚未实现 (hash chain not built yet): ${hash}`;
  const canonical = await load<CanonicalModule>('../ports/canonicalJson.js', ['canonicalJson']);
  if (typeof canonical === 'string') return `哈希链尚未实现 (hash chain not built yet): ${canonical}`;
  const sample = await store.readAll({ maxCount: maxEvents });
  if (sample.length === 0) return 'no stored events to time';
  if (typeof (sample[0] as RecordedEvent & { hash?: unknown }).hash !== 'string' || !(sample[0] as { hash?: string }).hash) {
    return '存储的事件没有哈希 (stored events carry no hash): the store does not write the chain yet';
  }
  step?.total(sample.length);
  // one prev-hash lookup per stream and append: the ingest appends each stream of a batch once
  const streamsPerBatch = new Set(sample.slice(0, 500).map((e) => e.streamId)).size / Math.min(500, sample.length);
  const lookups = Math.max(1, Math.round(sample.length * streamsPerBatch));
  let sink = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < sample.length; i++) {
    const e = sample[i]!;
    const h = hash.eventHashFromCanonical(canonical.canonicalJson(e.data), canonical.canonicalJson(e.metadata), {
      streamId: e.streamId,
      revision: e.revision,
      type: e.type,
      time: e.metadata.time,
      recordedAt: e.recordedAt,
      prevHash: (e as { prevHash?: string | null }).prevHash ?? null,
    });
    sink += h.length;
    if ((i & 1023) === 0) step?.update(i);
  }
  // the store's own lookup of the stream's last hash, once per stream and append
  const lastHash = database.prepare<[string, number], string | null>('SELECT hash FROM events WHERE stream_id = ? AND revision = ?').pluck();
  for (let i = 0; i < lookups; i++) {
    const e = sample[(i * 7919) % sample.length]!;
    sink += lastHash.get(e.streamId, e.revision)?.length ?? 0;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (sink < 0) throw new Error('unreachable');
  step?.update(sample.length);
  return { events: sample.length, perEvent: seconds / sample.length };
}
