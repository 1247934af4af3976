import { InvalidCursorError } from '../ports/rejectionStore.js';

/**
 * Opaque page cursors over numeric row ids (base64url of `prefix + id`), so clients cannot come to depend on
 * ids being integers. `digits` is what the store's id column can hold; a cursor the store did not hand out
 * (wrong prefix, not canonical, out of range) is an InvalidCursorError.
 */
export function idCursors(prefix: string, digits: RegExp) {
  const encode = (id: string): string => Buffer.from(prefix + id, 'utf8').toString('base64url');
  const decode = (cursor: string): string => {
    const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
    const id = decoded.startsWith(prefix) ? decoded.slice(prefix.length) : '';
    if (!digits.test(id) || encode(id) !== cursor) throw new InvalidCursorError(cursor);
    return id;
  };
  return { encode, decode };
}
