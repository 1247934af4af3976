/** Agencies of the city's rule-of-law work (events.md §1). */
export const AGENCY_KINDS = ['court', 'procuratorate', 'police', 'justice', 'government'] as const;
export type AgencyKind = (typeof AGENCY_KINDS)[number];

/** events.md §1 (revision 2): where an agency sits; absent = `city` */
export const AGENCY_LEVELS = ['city', 'district', 'township'] as const;
export type AgencyLevel = (typeof AGENCY_LEVELS)[number];

export interface Agency {
  readonly id: string;
  readonly kind: AgencyKind;
  /** Chinese display name, e.g. 辽源市中级人民法院 */
  readonly name: string;
  /** absent = `city` (agencyLevel) */
  readonly level?: AgencyLevel;
  /** the agency a unit belongs to: a 司法所 under its 司法局, a 派出所 under the 公安局, a 人民法庭 under its 基层人民法院 */
  readonly parentId?: string;
  /** a government agency's 上一级主管部门: it receives the agency's copy notices too */
  readonly supervisorId?: string;
}

export const agencyLevel = (agency: Pick<Agency, 'level'>): AgencyLevel => agency.level ?? 'city';

/**
 * The agency and the units under it (parentId, at any depth), the agency first: a court's row of the scorecard counts
 * what its 人民法庭 did (docs/decisions.md). A parent chain that loops (refused by the config check) ends at the loop.
 */
export const agencyWithUnits = (agencies: AgencyDirectory, agencyId: string): string[] => {
  const out = [agencyId];
  for (let i = 0; i < out.length; i++) {
    for (const a of agencies.values()) if (a.parentId === out[i] && !out.includes(a.id)) out.push(a.id);
  }
  return out;
};

/** The configured agencies, passed into the domain as a lookup (never loaded by it). */
export type AgencyDirectory = ReadonlyMap<string, Agency>;

export const AGENCY_ID_PATTERN = /^[a-z0-9-]{2,64}$/;
