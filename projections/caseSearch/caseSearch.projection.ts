import { CASE_EVENT_TYPES, evolveCase, involvedAgencies, withInvolved } from '../../domain/catalog/index.js';
import type { RecordedEvent } from '../../ports/eventStore.js';
import type { Projection } from '../projection.js';

export const CASE_SEARCH = 'caseSearch';

/**
 * What `search(text:)` finds a case by, and who may find it: the registration's title, 案号 and party names
 * (events.md: only `case.registered` carries them) and the agencies involved so far (every later event may add
 * some — the same rule as the case's own `agencies`, domain/cases/case.ts involvedAgencies). The search index
 * (ports/caseSearch.ts) is fed from these documents as they are committed (feedCaseSearch.ts).
 */
export interface CaseSearchDoc {
  caseId: string;
  title: string;
  caseNumber: string | null;
  partyNames: string[];
  agencies: readonly string[];
}

const caseIdOf = (event: RecordedEvent): string => event.streamId.slice('case-'.length);

export const caseSearchProjection: Projection = {
  name: 'caseSearch',
  canHandle: CASE_EVENT_TYPES,
  collections: [CASE_SEARCH],
  keys: (event) => (event.streamId.startsWith('case-') ? [[CASE_SEARCH, caseIdOf(event)]] : []),
  evolve(stored, event) {
    const before = stored as CaseSearchDoc | null;
    const input = { type: event.type, data: event.data, time: event.metadata.time, source: event.metadata.source, subject: caseIdOf(event) };
    if (before === null) {
      if (event.type !== 'case.registered') return { doc: null };
      // read as the case's own fold reads it, so the search shows what the case page shows
      const registered = evolveCase({ status: 'none' }, input);
      if (registered.status === 'none') return { doc: null };
      const doc: CaseSearchDoc = {
        caseId: registered.id,
        title: registered.title,
        caseNumber: registered.caseNumber,
        partyNames: registered.parties.map((p) => p.name),
        agencies: registered.agencies,
      };
      return { doc };
    }
    const agencies = withInvolved(before.agencies, involvedAgencies(input));
    return { doc: agencies === before.agencies ? before : { ...before, agencies } };
  },
};
