/**
 * An answer's JSON as UTF-8 bytes, written in pieces with pauses between them (gateway/turnstile.ts).
 *
 * Why not `JSON.stringify` and `res.send`: at 1,000,000 events the dossier is a 590 KB answer, and V8 hands back
 * `JSON.stringify`'s result as a string of many parts; joining them into one flat string and encoding it took
 * 3.3–5.6 ms in one stretch (1.6–1.8 ms for the same text stringified and encoded a run of items at a time), and
 * express hashed the whole body for an ETag besides, which a POST answer has no use for.
 */

/** characters of JSON gathered before they are encoded as one piece */
const PIECE_CHARS = 16 * 1024;
/** characters of JSON written between two pauses */
const PAUSE_CHARS = 64 * 1024;
/** containers this deep and deeper are written by JSON.stringify: an answer, its data, a field and its list are walked */
const WALKED_DEPTH = 4;

/**
 * The bytes of `JSON.stringify(value)`, as pieces: the containers near the top (an answer's `data`, its fields, their
 * lists) are walked; a list is written a run of items at a time, each run about a quarter of a pause's worth; and the
 * writer pauses after every 64 KB. Pieces end between JSON tokens, so no character is split between two of them.
 */
export async function encodeInPieces(value: unknown, pause: () => Promise<void>): Promise<Buffer[]> {
  const pieces: Buffer[] = [];
  let gathered = '';
  let sincePause = 0;
  /** true when the writer should pause */
  const write = (text: string): boolean => {
    gathered += text;
    sincePause += text.length;
    if (gathered.length >= PIECE_CHARS) {
      pieces.push(Buffer.from(gathered, 'utf8'));
      gathered = '';
    }
    if (sincePause < PAUSE_CHARS) return false;
    sincePause = 0;
    return true;
  };
  const walked = (v: unknown, depth: number): v is object =>
    depth < WALKED_DEPTH && typeof v === 'object' && v !== null && typeof (v as { toJSON?: unknown }).toJSON !== 'function';
  const walk = async (v: object, depth: number): Promise<void> => {
    if (Array.isArray(v)) {
      write('[');
      // runs of items, sized from the items written so far; JSON.stringify of a run writes `null` for an item it
      // cannot write, as it does in the whole list
      let run = 8;
      for (let at = 0; at < v.length; ) {
        const text = JSON.stringify(v.slice(at, at + run));
        const full = write(`${at > 0 ? ',' : ''}${text.slice(1, -1)}`);
        at += run;
        run = Math.max(1, Math.round(PAUSE_CHARS / 4 / Math.max(1, text.length / run)));
        if (full) await pause();
      }
      write(']');
      return;
    }
    write('{');
    let first = true;
    for (const [key, field] of Object.entries(v)) {
      const text = walked(field, depth + 1) ? null : JSON.stringify(field);
      // a field JSON.stringify leaves out (undefined, a function) is left out here too
      if (text === undefined) continue;
      const full = write(`${first ? '' : ','}${JSON.stringify(key)}:${text ?? ''}`);
      first = false;
      if (full) await pause();
      if (text === null) await walk(field as object, depth + 1);
    }
    write('}');
  };
  if (walked(value, 0)) await walk(value, 0);
  else gathered = JSON.stringify(value) ?? '';
  if (gathered.length > 0) pieces.push(Buffer.from(gathered, 'utf8'));
  return pieces;
}
