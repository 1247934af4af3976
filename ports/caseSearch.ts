/**
 * The CaseSearch port: graphql.md `search(text:)` — cases whose title, case number (案号) or a party's name contains
 * the text, Chinese substrings included, restricted to the cases an agency is involved in, in pages by case id.
 *
 * The index is a read model like the others: fed by the caseSearch projection (projections/caseSearch/), its
 * entries carry the position of the last event applied, so a re-delivered or stale write never replaces a newer
 * one, and a rebuild clears it. Embedded: SQLite FTS5 with the trigram tokenizer (infra/search/sqliteCaseSearch.ts);
 * distributed: PostgreSQL with pg_trgm (infra/search/postgresCaseSearch.ts). Both run test/contract/caseSearch.contract.ts.
 *
 * Matching is on folded text (searchFold): both adapters compare the same strings, so they cannot disagree on what
 * a full-width bracket, a capital letter or a run of spaces matches.
 */

export interface CaseSearchEntry {
  caseId: string;
  title: string;
  caseNumber: string | null;
  partyNames: readonly string[];
  /** the agencies involved in the case (ExistingCase.agencies): an agency's search finds the case only if it is here */
  agencies: readonly string[];
  /** the position of the last event applied to the case: an entry not newer than the stored one is ignored */
  position: bigint;
}

export interface CaseSearchQuery {
  /** folded (searchFold) and not empty */
  text: string;
  /** only cases this agency is involved in; null: every case (organizers, auditors) */
  agency: string | null;
  /** keyset pagination: case ids strictly after this one */
  after: string | null;
  /** case ids per page, ≥ 0 */
  limit: number;
}

export interface CaseSearchPage {
  /** ascending */
  caseIds: string[];
  /** every match of the text (and agency), whatever the page */
  totalCount: number;
  hasNextPage: boolean;
}

export interface CaseSearch {
  /** adds or replaces entries (those newer than what is stored) */
  put(entries: readonly CaseSearchEntry[]): Promise<void>;
  /** drops every entry (a rebuild) */
  clear(): Promise<void>;
  /** how many cases the index holds */
  count(): Promise<number>;
  search(query: CaseSearchQuery): Promise<CaseSearchPage>;
  close(): Promise<void>;
}

/**
 * The text both sides of a match are compared in: NFKC (full-width brackets and digits of 案号 such as
 * （2026）川0132刑初123号 become (2026)川0132刑初123号, so either way of typing them matches), lower case, and every
 * run of white space or control characters one space, trimmed (PostgreSQL text cannot hold U+0000).
 */
export const searchFold = (text: string): string =>
  text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\p{Cc}]+/gu, ' ')
    .trim();

/**
 * What an entry is found by, one folded field a line: a query (folded, so without line breaks) can only match within
 * one field, never across two. The case id is included: the console's search box has always found a case by its id.
 */
export const searchHaystack = (entry: Pick<CaseSearchEntry, 'caseId' | 'title' | 'caseNumber' | 'partyNames'>): string =>
  [entry.caseId, entry.title, entry.caseNumber ?? '', ...entry.partyNames].map(searchFold).join('\n');

/** characters, not UTF-16 units: a trigram index needs three of them (an ideograph beyond U+FFFF counts once) */
export const searchLength = (folded: string): number => [...folded].length;
