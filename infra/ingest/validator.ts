import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import localizeZhModule from 'ajv-i18n/localize/zh/index.js';
import { CATALOG, ENVELOPE_SCHEMA, currentVersion, dataSchemaOf, versionsOf } from '../../domain/catalog/index.js';

// ajv-formats is CommonJS; its default export arrives wrapped under NodeNext.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;
// ajv-i18n's Chinese messages ("应当等于常量", "应当是 string 类型"): ajv's own English never reaches a publisher
const localizeZh = ((localizeZhModule as unknown as { default?: unknown }).default ?? localizeZhModule) as (errors?: ErrorObject[] | null) => void;

export interface SchemaCheck {
  ok: boolean;
  /** Chinese summary of what is wrong, naming the field */
  message: string;
}

const describe = (errors: ErrorObject[] | null | undefined): string => {
  localizeZh(errors);
  return (errors ?? [])
    .slice(0, 3)
    .map((e) => {
      const field = e.instancePath || '/';
      if (e.keyword === 'required') return `缺少字段 ${field === '/' ? '' : field}/${String(e.params.missingProperty)}`;
      if (e.keyword === 'additionalProperties') return `${field} 含未定义字段 ${String(e.params.additionalProperty)}`;
      if (e.keyword === 'enum') return `${field} 取值应为 ${(e.params.allowedValues as unknown[]).join(' | ')}`;
      if (e.keyword === 'const') return `${field} 应为 ${JSON.stringify(e.params.allowedValue)}`;
      return `${field} ${e.message ?? '不合法'}`;
    })
    .join('；');
};

/** Schemas are data in the domain catalog; they are compiled once here, one validator per type. */
export function createValidator() {
  const ajv = new Ajv({ allErrors: false, strict: false });
  addFormats(ajv);
  const envelope = ajv.compile(ENVELOPE_SCHEMA as object);
  // one validator per version of each type (domain/catalog/versions.ts), keyed `<type>:<version>`
  const byVersion = new Map<string, ValidateFunction>();
  for (const [type, entry] of CATALOG) {
    for (const version of versionsOf(entry.type)) byVersion.set(`${type}:${version}`, ajv.compile(dataSchemaOf(entry.type, version) as object));
  }
  const run = (fn: ValidateFunction, value: unknown): SchemaCheck => (fn(value) ? { ok: true, message: '' } : { ok: false, message: describe(fn.errors) });
  return {
    envelope: (value: unknown): SchemaCheck => run(envelope, value),
    /** against the schema of `version` (default: the current one); undefined when the catalog has no such type or version */
    data: (type: string, value: unknown, version?: number): SchemaCheck | undefined => {
      const entry = CATALOG.get(type);
      const fn = entry && byVersion.get(`${type}:${version ?? currentVersion(entry.type)}`);
      return fn ? run(fn, value) : undefined;
    },
  };
}
export type Validator = ReturnType<typeof createValidator>;
