/**
 * Fictional people and companies of 云岭市 for the demo. Names follow the anonymised style of published
 * judgments (张某某, 云岭某建材有限公司); the city, its districts and its state enterprises are invented.
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

export const ALL_AGENCIES = [COURT, PROC, POLICE, JUSTICE, GOV, MARKET, RESOURCES, HOUSING, HRSS] as const;
export const GOVERNMENT_AGENCIES = [GOV, MARKET, RESOURCES, HOUSING, HRSS] as const;

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
};

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
