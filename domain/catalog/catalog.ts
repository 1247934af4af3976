/**
 * The published-event catalog (events.md §3): for each type, who may publish it and the shape of `data`.
 *
 * `by` lists agency KINDS. Where the spec's "by" column names kinds (court; justice; government, justice;
 * court/procuratorate for suggestions) they are listed here and the ingest pipeline answers any other kind
 * with `unauthorized`. Where it names a PARTICULAR agency (the registering agency, the receiver, the sender,
 * the `to` agency, the defendant agency, a recipient, the owner) every kind is listed and the decider checks
 * the particular agency, answering `invalid_transition` (events.md §5, last paragraph).
 */
import type { AgencyKind } from '../shared/agencies.js';
import { AGENCY_KINDS } from '../shared/agencies.js';
import type { CatalogType, JsonSchema } from './schemas.js';
import { DATA_SCHEMAS } from './schemas.js';

export interface CatalogEntry {
  readonly type: CatalogType;
  /** agency kinds that may publish the type; any other kind is `unauthorized` */
  readonly by: readonly AgencyKind[];
  /** JSON Schema draft-07 of `data` */
  readonly dataSchema: JsonSchema;
  /** what the "by" column says, for people (documentation, rejection messages) */
  readonly publishedBy: string;
  /** where the fact is stored */
  readonly stream: 'case' | 'meeting' | 'stats';
}

const ANY = AGENCY_KINDS;

const entry = (type: CatalogType, by: readonly AgencyKind[], publishedBy: string, stream: CatalogEntry['stream'] = 'case'): CatalogEntry => ({
  type,
  by,
  dataSchema: DATA_SCHEMAS[type],
  publishedBy,
  stream,
});

const ENTRIES: readonly CatalogEntry[] = [
  entry('case.registered', ANY, '任何机关'),
  entry('case.closed', ANY, '登记该案件的机关'),
  entry('self_correction.reported', ['government', 'justice'], '行政机关、司法行政机关'),

  entry('handoff.requested', ANY, '移送机关（机关类别须符合移送事由）'),
  entry('handoff.received', ANY, '接收机关'),
  entry('handoff.accepted', ANY, '接收机关'),
  entry('handoff.returned', ANY, '接收机关'),
  entry('handoff.extended', ANY, '接收机关'),
  entry('handoff.completed', ANY, '接收机关'),
  entry('handoff.withdrawn', ANY, '移送机关'),

  entry('hearing.scheduled', ['court'], '法院'),
  entry('hearing.held', ['court'], '法院'),
  entry('judgment.issued', ['court'], '法院'),
  entry('judgment.effective', ['court'], '法院'),
  entry('judicial_confirmation.decided', ['court'], '法院'),
  entry('court.filings_reported', ['court'], '法院', 'stats'),

  entry('suggestion.issued', ['court', 'procuratorate', 'justice'], '法院（司法建议）、检察院（检察建议、公益诉讼检察建议）、司法行政机关（行政复议意见书）'),
  entry('suggestion.served', ANY, '发出建议的机关'),
  entry('suggestion.received', ANY, '被建议单位'),
  entry('suggestion.replied', ANY, '被建议单位'),

  entry('reconsideration.decided', ['justice'], '司法行政机关（行政复议机构）'),
  entry('reconsideration.extended', ['justice'], '司法行政机关（行政复议机构）'),
  entry('reconsideration.suspended', ['justice'], '司法行政机关（行政复议机构）'),
  entry('reconsideration.resumed', ['justice'], '司法行政机关（行政复议机构）'),
  entry('reconsideration.performed', ANY, '被申请人（行政机关）'),

  entry('correction.reported', ['justice'], '司法行政机关（社区矫正机构）'),
  entry('correction.absconded', ['justice'], '司法行政机关（社区矫正机构）'),
  entry('correction.located', ['justice'], '司法行政机关（社区矫正机构）'),

  // 涉党政机关、国有企业法律纠纷 (revision 2): 会商研判, 结果, 责任倒查, 以案促管整改
  entry('dispute.consulted', ['justice', 'government'], '司法行政机关、行政机关'),
  entry('dispute.concluded', ANY, '登记该纠纷的机关、司法行政机关'),
  entry('accountability.reviewed', ['justice'], '司法行政机关'),
  entry('rectification.ordered', ['justice', 'government'], '司法行政机关、行政机关'),
  entry('rectification.completed', ANY, '整改责任机关（to）'),

  entry('notice.acknowledged', ANY, '抄告的接收机关'),

  entry('action_item.completed', ANY, '督办事项的责任机关', 'meeting'),
];

export const CATALOG: ReadonlyMap<string, CatalogEntry> = new Map(ENTRIES.map((e) => [e.type, e]));

export const CATALOG_TYPES: readonly CatalogType[] = ENTRIES.map((e) => e.type);

export const isCatalogType = (type: string): type is CatalogType => CATALOG.has(type);
