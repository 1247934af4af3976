/**
 * The order of the lists that graphql.md returns whole, ordered by issue time (`suggestions`, `copyNotices`), as
 * their read models file it: `<scope>|<issued key>|<document id><TAIL><what a filter needs>`. Within a scope,
 * entries sort by issue time, then by document id, then by the tail — which a list never sorts by, as the ids are
 * unique.
 */

/**
 * An issue time as a fixed-width UTC ISO text (a DateTime may carry any offset), so that text order is time order.
 * The list used to sort the published text itself, which is the same order while every time carries one offset.
 */
export const issuedKey = (time: string): string => new Date(time).toISOString();

/**
 * Between the document id and the tail: a space sorts below every character of a URI-encoded id, so an id that is
 * a prefix of another (`a` and `ab`) still sorts first, as ids compare by themselves.
 */
export const TAIL = ' ';

/** the entries of one scope: every value starting `<scope>|` */
export const scopeRange = (scope: string): { from: string; to: string } => ({ from: `${scope}|`, to: `${scope}|\u{10ffff}` });
