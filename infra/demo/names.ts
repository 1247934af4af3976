/**
 * Fictional people, companies and agencies of 云岭市 for the demo. Names follow the anonymised style of published
 * judgments (张某某, 云岭某建材有限公司); the city, its districts and its state enterprises are invented.
 *
 * The city's agencies (infra/config/demo.config.json, where `level`, `parentId` and `supervisorId` are set):
 * the city's 中级人民法院, 人民检察院, 公安局, 司法局, 人民政府 and four of its departments; two districts — 青山区,
 * the seat of the city government, and 临江区 — each with its basic-level 人民法院, 人民检察院, 公安分局, 司法局,
 * 人民政府 and one department; and in each district one township with its 两所一庭 (派出所, 司法所, 人民法庭).
 */
import type { Rng } from './random.js';

export const COURT = 'yl-court';
export const PROC = 'yl-proc';
export const POLICE = 'yl-police';
export const JUSTICE = 'yl-justice';
export const GOV = 'yl-gov';
export const MARKET = 'yl-market';
export const RESOURCES = 'yl-resources';
export const HOUSING = 'yl-housing';
export const HRSS = 'yl-hrss';

/** A district (市辖区) and its agencies; `township` is its one township's 两所一庭. */
export interface District {
  readonly name: string;
  /** 案号 court code: the province's short name, the city's and the district's numbers (岭0102) */
  readonly courtCode: string;
  /** the district's short character in document numbers (青检刑诉〔2026〕12号) */
  readonly short: string;
  readonly court: string;
  readonly proc: string;
  readonly police: string;
  readonly justice: string;
  readonly gov: string;
  /** the one district department in the demo */
  readonly department: string;
  readonly township: { readonly name: string; readonly police: string; readonly justice: string; readonly court: string };
}

export const QINGSHAN: District = {
  name: '青山区',
  courtCode: '岭0102',
  short: '青',
  court: 'yl-qs-court',
  proc: 'yl-qs-proc',
  police: 'yl-qs-police',
  justice: 'yl-qs-justice',
  gov: 'yl-qs-gov',
  department: 'yl-qs-enforce',
  township: { name: '石桥镇', police: 'yl-qs-shiqiao-police', justice: 'yl-qs-shiqiao-justice', court: 'yl-qs-shiqiao-court' },
};
export const LINJIANG: District = {
  name: '临江区',
  courtCode: '岭0103',
  short: '临',
  court: 'yl-lj-court',
  proc: 'yl-lj-proc',
  police: 'yl-lj-police',
  justice: 'yl-lj-justice',
  gov: 'yl-lj-gov',
  department: 'yl-lj-market',
  township: { name: '江口镇', police: 'yl-lj-jiangkou-police', justice: 'yl-lj-jiangkou-justice', court: 'yl-lj-jiangkou-court' },
};
export const DISTRICTS: readonly District[] = [QINGSHAN, LINJIANG];
/** the city's departments sit in 青山区, the seat of the city government (行政诉讼法 Art. 18: 被告所在地) */
export const CITY_SEAT = QINGSHAN;
/** 案号 court code of the 中级人民法院 */
export const INTERMEDIATE_COURT_CODE = '岭01';

/** Display names as in infra/config/demo.config.json (party names in registrations, meeting texts). */
export const AGENCY_NAMES: Readonly<Record<string, string>> = {
  [COURT]: '云岭市中级人民法院',
  [PROC]: '云岭市人民检察院',
  [POLICE]: '云岭市公安局',
  [JUSTICE]: '云岭市司法局',
  [GOV]: '云岭市人民政府',
  [MARKET]: '云岭市市场监督管理局',
  [RESOURCES]: '云岭市自然资源和规划局',
  [HOUSING]: '云岭市住房和城乡建设局',
  [HRSS]: '云岭市人力资源和社会保障局',
  [QINGSHAN.court]: '云岭市青山区人民法院',
  [QINGSHAN.proc]: '云岭市青山区人民检察院',
  [QINGSHAN.police]: '云岭市公安局青山分局',
  [QINGSHAN.justice]: '云岭市青山区司法局',
  [QINGSHAN.gov]: '云岭市青山区人民政府',
  [QINGSHAN.department]: '云岭市青山区综合行政执法局',
  [QINGSHAN.township.police]: '云岭市公安局青山分局石桥派出所',
  [QINGSHAN.township.justice]: '云岭市青山区司法局石桥司法所',
  [QINGSHAN.township.court]: '云岭市青山区人民法院石桥人民法庭',
  [LINJIANG.court]: '云岭市临江区人民法院',
  [LINJIANG.proc]: '云岭市临江区人民检察院',
  [LINJIANG.police]: '云岭市公安局临江分局',
  [LINJIANG.justice]: '云岭市临江区司法局',
  [LINJIANG.gov]: '云岭市临江区人民政府',
  [LINJIANG.department]: '云岭市临江区市场监督管理局',
  [LINJIANG.township.police]: '云岭市公安局临江分局江口派出所',
  [LINJIANG.township.justice]: '云岭市临江区司法局江口司法所',
  [LINJIANG.township.court]: '云岭市临江区人民法院江口人民法庭',
};

export const ALL_AGENCIES = Object.keys(AGENCY_NAMES);
const TOWNSHIP_UNITS = new Set(DISTRICTS.flatMap((d) => [d.township.police, d.township.justice, d.township.court]));
/** the city's 府院联动推进会 invites the city's and the districts' agencies, not the township units */
export const MEETING_AGENCIES = ALL_AGENCIES.filter((id) => !TOWNSHIP_UNITS.has(id));
/** the unit a township unit belongs to answers for it at a city meeting */
export const answerableFor = (agencyId: string): string => {
  for (const d of DISTRICTS) {
    if (agencyId === d.township.police) return d.police;
    if (agencyId === d.township.justice) return d.justice;
    if (agencyId === d.township.court) return d.court;
  }
  return agencyId;
};

/** short forms used in meeting minutes (市市场监管局) */
export const AGENCY_SHORT: Readonly<Record<string, string>> = {
  [COURT]: '市中级法院',
  [PROC]: '市检察院',
  [POLICE]: '市公安局',
  [JUSTICE]: '市司法局',
  [GOV]: '市政府办公室',
  [MARKET]: '市市场监管局',
  [RESOURCES]: '市自然资源和规划局',
  [HOUSING]: '市住房城乡建设局',
  [HRSS]: '市人社局',
  [QINGSHAN.court]: '青山区法院',
  [QINGSHAN.proc]: '青山区检察院',
  [QINGSHAN.police]: '公安青山分局',
  [QINGSHAN.justice]: '青山区司法局',
  [QINGSHAN.gov]: '青山区政府',
  [QINGSHAN.department]: '青山区综合执法局',
  [LINJIANG.court]: '临江区法院',
  [LINJIANG.proc]: '临江区检察院',
  [LINJIANG.police]: '公安临江分局',
  [LINJIANG.justice]: '临江区司法局',
  [LINJIANG.gov]: '临江区政府',
  [LINJIANG.department]: '临江区市场监管局',
};

/** a government agency's 上一级主管部门 (supervisorId in the config): it receives the agency's copy notices too */
export const supervisorOf = (agencyId: string): string | undefined =>
  [MARKET, RESOURCES, HOUSING, HRSS, QINGSHAN.gov, LINJIANG.gov].includes(agencyId) ? GOV : DISTRICTS.find((d) => d.department === agencyId)?.gov;

/** the city's agencies (level city); the others belong to a district */
export const isCityAgency = (agencyId: string): boolean => [COURT, PROC, POLICE, JUSTICE, GOV, MARKET, RESOURCES, HOUSING, HRSS].includes(agencyId);
/** the justice bureau of an agency's level: 市司法局 for the city's agencies, the 区司法局 for a district's */
export const justiceFor = (agencyId: string): string => (isCityAgency(agencyId) ? JUSTICE : districtOf(agencyId).justice);

/** the district an agency belongs to; the city's agencies sit in the seat (青山区) */
export const districtOf = (agencyId: string): District => DISTRICTS.find((d) => AGENCY_NAMES[agencyId]?.includes(d.name.slice(0, 2))) ?? CITY_SEAT;

const SURNAMES = ['张', '王', '李', '赵', '刘', '陈', '杨', '黄', '周', '吴', '徐', '孙', '马', '朱', '胡', '郭', '何', '林', '罗', '高', '郑', '梁', '谢', '宋', '唐', '许', '韩', '冯', '邓', '曹'];
const PLACES = ['云岭', '云岭', '云岭', '青山区', '临江区', '石门县', '云溪县'];

/** 张某某 or 张某 */
export const person = (rng: Rng): string => `${rng.pick(SURNAMES)}${rng.chance(0.8) ? '某某' : '某'}`;

/** several different people (different surnames, so a list reads naturally) */
export const people = (rng: Rng, n: number): string[] =>
  rng
    .shuffle(SURNAMES)
    .slice(0, n)
    .map((s) => `${s}${rng.chance(0.8) ? '某某' : '某'}`);

/** 云岭某建材有限公司, 石门县某矿业有限公司 */
export const company = (rng: Rng, industry: string): string => `${rng.pick(PLACES)}某${industry}有限公司`;

export const INDUSTRIES = ['建材', '商贸', '置业', '物业服务', '食品', '建筑劳务', '科技', '餐饮管理', '汽车销售服务', '农业开发', '物流', '医药连锁', '教育咨询', '装饰工程', '混凝土', '电子商务'];

export const STATE_ENTERPRISES = ['云岭市城市建设投资集团有限公司', '云岭市水务集团有限公司', '云岭市交通投资建设集团有限公司', '云岭市国有资本运营有限公司', '云岭市文化旅游发展集团有限公司'];

/** 一位承办人 for approvals: 检察长 许某某 */
export const official = (rng: Rng, title: string): string => `${title} ${rng.pick(SURNAMES)}某某`;
