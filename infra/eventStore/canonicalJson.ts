/**
 * Canonical JSON for hashing: RFC 8785 (JSON Canonicalization Scheme, JCS), applied to the value as it
 * would come back from `JSON.parse(JSON.stringify(value))` — that is, to what the store keeps.
 *
 *  - object members sorted by key, comparing keys as sequences of UTF-16 code units (RFC 8785 §3.2.3);
 *    no whitespace anywhere
 *  - strings as ECMAScript JSON.stringify writes them (RFC 8785 §3.2.2.2): `"` `\\` and control
 *    characters escaped (\b \t \n \f \r, others as \u00xx with lower-case hex), everything else literal
 *    UTF-8 — Chinese text is not escaped. One extension: a lone surrogate, which RFC 8785 (I-JSON) forbids,
 *    is written as \udxxx (lower-case hex), as ES2019 JSON.stringify does, instead of failing the append.
 *  - numbers as ECMAScript Number.prototype.toString (RFC 8785 §3.2.2.3): shortest round-trip digits,
 *    exponent form from 1e21 and below 1e-6, -0 as 0
 *  - JSON.stringify's treatment of what JSON cannot hold: members whose value is undefined, a function or a
 *    symbol are left out, such array elements become null, NaN and ±Infinity become null, toJSON() is
 *    honoured (a Date becomes its ISO string); a bigint throws
 *
 * docs/audit.md restates this for auditors who re-implement it in another language.
 */

export function canonicalJson(value: unknown): string {
  const text = serialize(value, '');
  if (text === undefined) throw new TypeError('canonicalJson: the value has no JSON form (undefined, a function or a symbol)');
  return text;
}

// plain loops and string concatenation: this runs for every appended event (about 1 µs for a small one)
function serialize(value: unknown, key: string): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      // JSON.stringify: NaN and ±Infinity → null, -0 → 0, otherwise Number.prototype.toString
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      throw new TypeError('canonicalJson: a bigint has no JSON form');
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return serialize((value as { toJSON(key: string): unknown }).toJSON(key), key);
  if (Array.isArray(value)) {
    let out = '[';
    for (let index = 0; index < value.length; index++) {
      if (index > 0) out += ',';
      out += serialize(value[index], String(index)) ?? 'null';
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  // the default sort compares UTF-16 code units, which is exactly RFC 8785's member order
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const name of keys) {
    const member = serialize(record[name], name);
    if (member === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(name)}:${member}`;
    first = false;
  }
  return `${out}}`;
}
