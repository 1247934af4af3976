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
  const text = serialize(value);
  if (text === undefined) throw new TypeError('canonicalJson: the value has no JSON form (undefined, a function or a symbol)');
  return text;
}

/** an array or object being written: its text so far and the next member to write */
interface Frame {
  /** the array; null for an object */
  array: readonly unknown[] | null;
  /** the object; null for an array */
  record: Record<string, unknown> | null;
  /** the object's member names in RFC 8785 order; empty for an array */
  keys: string[];
  /** the next element (array) or the next name in `keys` (object) */
  index: number;
  /** the name of the object member being written */
  name: string;
  out: string;
  /** no member written yet (objects: skipped members leave no comma) */
  first: boolean;
}

/**
 * Without recursion, so that no nesting depth can overflow the stack (events.md §2 refuses more than 32 levels
 * at ingest, but a store may hold events written before that check, or by other writers). Plain loops and string
 * concatenation: this runs for every appended event (about 1 µs for a small one).
 */
function serialize(root: unknown): string | undefined {
  const stack: Frame[] = [];
  let value = root;
  /** what toJSON is called with: the member's name, or the element's index (made a string only then) */
  let key: string | number = '';
  for (;;) {
    // `value` → its text (a scalar, or undefined when it has no JSON form), or a frame opened for it
    let text: string | undefined;
    let opened = false;
    for (;;) {
      if (value === null) {
        text = 'null';
        break;
      }
      const type = typeof value;
      if (type === 'string' || type === 'number') {
        // strings escaped as JSON.stringify does; numbers: NaN and ±Infinity → null, -0 → 0, otherwise Number.prototype.toString
        text = JSON.stringify(value);
        break;
      }
      if (type === 'boolean') {
        text = value ? 'true' : 'false';
        break;
      }
      if (type === 'bigint') throw new TypeError('canonicalJson: a bigint has no JSON form');
      if (type === 'undefined' || type === 'function' || type === 'symbol') {
        text = undefined;
        break;
      }
      const toJSON = (value as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') {
        value = (toJSON as (key: string) => unknown).call(value, String(key));
        continue;
      }
      if (Array.isArray(value)) {
        if (scalarsOnly(value)) {
          // JSON.stringify writes such an array exactly as the loop below would (each element goes through
          // JSON.stringify there too, a hole, undefined or a symbol as null), at a fraction of the cost: a
          // checkpoint's heads are ten thousand arrays of four
          text = JSON.stringify(value);
          break;
        }
        stack.push({ array: value, record: null, keys: [], index: 0, name: '', out: '[', first: true });
      }
      // the default sort compares UTF-16 code units, which is exactly RFC 8785's member order
      else stack.push({ array: null, record: value as Record<string, unknown>, keys: Object.keys(value as object).sort(), index: 0, name: '', out: '{', first: true });
      opened = true;
      break;
    }
    if (!opened) {
      if (stack.length === 0) return text;
      put(stack[stack.length - 1]!, text);
    }
    // the next member to write, closing every frame that has none left
    for (;;) {
      const frame = stack[stack.length - 1]!;
      if (frame.array !== null) {
        if (frame.index < frame.array.length) {
          key = frame.index;
          value = frame.array[frame.index];
          frame.index += 1;
          break;
        }
      } else if (frame.index < frame.keys.length) {
        const name = frame.keys[frame.index]!;
        frame.index += 1;
        frame.name = name;
        key = name;
        value = frame.record![name];
        break;
      }
      stack.pop();
      const closed = frame.array !== null ? `${frame.out}]` : `${frame.out}}`;
      if (stack.length === 0) return closed;
      put(stack[stack.length - 1]!, closed);
    }
  }
}

/**
 * every element a string, number, boolean, null, undefined or symbol: not an object or an array (whose members need
 * sorting), not a bigint (whose error is ours to word), not a function (JSON.stringify would call a toJSON it has;
 * this file writes a function as null whatever it carries)
 */
function scalarsOnly(array: readonly unknown[]): boolean {
  for (let index = 0; index < array.length; index++) {
    const type = typeof array[index];
    if ((type === 'object' && array[index] !== null) || type === 'bigint' || type === 'function') return false;
  }
  return true;
}

/** appends a member's text to its array or object (undefined: null in an array, left out of an object) */
function put(frame: Frame, text: string | undefined): void {
  if (frame.array !== null) {
    frame.out += frame.first ? (text ?? 'null') : `,${text ?? 'null'}`;
    frame.first = false;
  } else if (text !== undefined) {
    frame.out += `${frame.first ? '' : ','}${JSON.stringify(frame.name)}:${text}`;
    frame.first = false;
  }
}
