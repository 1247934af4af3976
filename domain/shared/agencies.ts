/** Agencies of the city's rule-of-law work (events.md §1). */
export const AGENCY_KINDS = ['court', 'procuratorate', 'police', 'justice', 'government'] as const;
export type AgencyKind = (typeof AGENCY_KINDS)[number];

export interface Agency {
  readonly id: string;
  readonly kind: AgencyKind;
  /** Chinese display name, e.g. 辽源市中级人民法院 */
  readonly name: string;
}

/** The configured agencies, passed into the domain as a lookup (never loaded by it). */
export type AgencyDirectory = ReadonlyMap<string, Agency>;

export const AGENCY_ID_PATTERN = /^[a-z0-9-]{2,64}$/;
