/**
 * Event versions (events.md §2 "Versions"): every catalog type has a version — 1, or 2 where revision 2 of the
 * catalog changed its data (`handoff.extended`). A publisher may name the version in `dataschema`
 * (`urn:liandong:<type>:<version>`); without it the latest applies. Stored events keep the version they were
 * published under (EventMetadata.dataschema) and are upcast to the current shape when read, so an event stored
 * years ago keeps its meaning after the catalog changes. Events stored before revision 2 carry no dataschema:
 * they are version 1 of their type.
 *
 * Pure data and functions: the ingest pipeline checks a published version with `versionOf`, the validator
 * compiles `dataSchemaOf` every version, toCommand decides on `upcast` data, and every read path gets stored
 * events through ports/currentShape.ts, which calls `upcastStored`.
 */
import { upcastRevision1HandoffReceived, upcastRevision1SuggestionIssued } from '../cases/case.js';
import { DATA_SCHEMAS, HANDOFF_EXTENDED_V1_SCHEMA, type CatalogType, type JsonSchema } from './schemas.js';

type Data = Record<string, unknown>;

/** The current version of each type whose data revision 2 changed; every other catalog type is at version 1. */
const CURRENT_VERSIONS: { readonly [T in CatalogType]?: number } = {
  'handoff.extended': 2,
};

export const currentVersion = (type: CatalogType): number => CURRENT_VERSIONS[type] ?? 1;

/**
 * The data schemas of the versions before the current one, frozen as they were published: a version, once
 * published, never changes its schema. The current version's schema is the catalog's (DATA_SCHEMAS).
 */
const OLDER_DATA_SCHEMAS: { readonly [T in CatalogType]?: Readonly<Record<number, JsonSchema>> } = {
  // revision 1: a number of days (1–30) added once, no ground
  'handoff.extended': { 1: HANDOFF_EXTENDED_V1_SCHEMA },
};

/** the data schema of one version of a type; undefined for a version the catalog does not have */
export function dataSchemaOf(type: CatalogType, version: number): JsonSchema | undefined {
  if (version === currentVersion(type)) return DATA_SCHEMAS[type];
  return OLDER_DATA_SCHEMAS[type]?.[version];
}

/** every version of a type the catalog accepts, oldest first */
export const versionsOf = (type: CatalogType): number[] => {
  const older = Object.keys(OLDER_DATA_SCHEMAS[type] ?? {}).map(Number);
  return [...older.sort((a, b) => a - b), currentVersion(type)];
};

/**
 * Upcasters: the data of version n of a type → the data of version n + 1, meaning kept. One per changed version;
 * `upcast` chains them up to the current version.
 */
const UPCASTERS: { readonly [T in CatalogType]?: Readonly<Record<number, (data: Data) => Data>> } = {
  'handoff.extended': {
    // Version 2 names a `ground`; version 1's meaning — its `days` added once — has no ground that says the same
    // (a ground sets its own period), so the current shape keeps `days` and leaves `ground` out: the case fold
    // and the clock read a ground-less extension as revision 1's (domain/cases/case.ts HandoffExtendedData).
    // Only the fields version 1 had are carried, so nothing a later shape adds can be read into an old event.
    1: (data) => ({ handoffId: data.handoffId, days: data.days, approvedBy: data.approvedBy }),
  },
};

/** `data` of `version` in the current shape of its type; types outside the catalog (platform events) unchanged */
export function upcast(type: string, version: number, data: Data): Data {
  const steps = UPCASTERS[type as CatalogType];
  if (steps === undefined) return data;
  const target = currentVersion(type as CatalogType);
  let shaped = data;
  for (let v = version; v < target; v++) {
    const step = steps[v];
    if (step) shaped = step(shaped);
  }
  return shaped;
}

// ---------------------------------------------------------------------------------------------
// dataschema: `urn:liandong:<type>:<version>`

const DATASCHEMA = /^urn:liandong:([a-z][a-z_]*\.[a-z][a-z_]*):([1-9][0-9]{0,8})$/;

export const dataschemaOf = (type: string, version: number): string => `urn:liandong:${type}:${version}`;

/** the type and version a `dataschema` names; null when it is not `urn:liandong:<type>:<version>` */
export function parseDataschema(dataschema: string): { type: string; version: number } | null {
  const match = DATASCHEMA.exec(dataschema);
  return match ? { type: match[1]!, version: Number(match[2]) } : null;
}

export type VersionCheck = { ok: true; version: number } | { ok: false; code: 'invalid_envelope' | 'invalid_data'; message: string };

/**
 * The form of a published `dataschema` (an envelope attribute): absent, or `urn:liandong:<type>:<version>` naming
 * the event's own `type`. Anything else is `invalid_envelope`: the envelope contradicts itself or is not ours.
 */
export function dataschemaProblem(type: string, dataschema: unknown): string | null {
  if (dataschema === undefined) return null;
  if (typeof dataschema !== 'string') return 'dataschema 应为字符串 urn:liandong:<type>:<version>';
  const named = parseDataschema(dataschema);
  if (named === null) return `dataschema「${dataschema.slice(0, 200)}」格式不正确，应为 urn:liandong:<type>:<version>，如 urn:liandong:${type}:1`;
  if (named.type !== type) return `dataschema 指向事件类型 ${named.type}，与 type「${type}」不一致`;
  return null;
}

/**
 * The version a catalog event was published under: the one `dataschema` names (its form already checked by
 * dataschemaProblem), or the latest when absent. A version the catalog does not have is `invalid_data`: its data
 * cannot match the catalog.
 */
export function publishedVersion(type: CatalogType, dataschema: string | undefined): VersionCheck {
  if (dataschema === undefined) return { ok: true, version: currentVersion(type) };
  const named = parseDataschema(dataschema);
  if (named === null || named.type !== type) return { ok: false, code: 'invalid_envelope', message: dataschemaProblem(type, dataschema) ?? 'dataschema 不合规' };
  if (dataSchemaOf(type, named.version) === undefined) {
    return { ok: false, code: 'invalid_data', message: `事件目录中 ${type} 没有第 ${named.version} 版（现有：${versionsOf(type).join('、')}），请按现行版本发布或不填 dataschema` };
  }
  return { ok: true, version: named.version };
}

/**
 * The version of a stored event from its metadata's dataschema. None: stored before revision 2 (or a platform
 * event), which is version 1 of its type.
 */
export function storedVersion(dataschema: string | undefined): number {
  if (dataschema === undefined) return 1;
  return parseDataschema(dataschema)?.version ?? 1;
}

/**
 * A stored event's data in the current shape of its type (the one read path: ports/currentShape.ts). `time` is the
 * event's own time. An event stored without `dataschema` in its metadata was stored under revision 1 (revision 2
 * stores one with every published fact): a revision-1 `suggestion.issued` started its reply clock on the day of issue,
 * and a revision-1 `handoff.received` the clock of every purpose; both keep that meaning (docs/decisions.md).
 */
export function upcastStored(type: string, dataschema: string | undefined, data: Data, time?: string): Data {
  const current = upcast(type, storedVersion(dataschema), data);
  if (dataschema !== undefined) return current;
  if (type === 'handoff.received') return upcastRevision1HandoffReceived({ type, data: current }).data as Data;
  if (type !== 'suggestion.issued' || time === undefined) return current;
  return upcastRevision1SuggestionIssued({ type, time, data: current }).data as Data;
}
