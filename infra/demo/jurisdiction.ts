/**
 * Which court of 云岭市 hears a first-instance case, as the law says (the demo's rule; test/unit/demo checks every
 * case against its own table):
 * - 行政诉讼法 Art. 14–15, 18: the basic-level court of the place where the defendant sits hears suits against
 *   departments (the city's departments sit in 青山区, the seat of the city government); the 中级人民法院 hears
 *   suits against a 县级以上地方人民政府 (the city's and the districts' people's governments). After a 复议维持 the
 *   department and the 复议机关 are co-defendants and the department decides the level (行诉解释 Art. 134).
 * - 刑事诉讼法 Art. 20–21, 25: the basic-level court of the place of the crime tries ordinary crimes (危险驾驶,
 *   盗窃, 诈骗 …); the 中级人民法院 tries crimes that may bring life imprisonment or death. The procuratorate and the
 *   police of the same level and district investigate and prosecute.
 * - 社区矫正法 Art. 17, 20: the court delivers an offender to the county-level 社区矫正机构 (the 区司法局) of the
 *   执行地, the place the offender lives — which need not be the court's district.
 */
import { COURT, GOV, INTERMEDIATE_COURT_CODE, LINJIANG, POLICE, PROC, QINGSHAN, districtOf, type District } from './names.js';

/** the people's governments at county level or above: suits against them go to the 中级人民法院 */
export const PEOPLES_GOVERNMENTS: readonly string[] = [GOV, QINGSHAN.gov, LINJIANG.gov];

export interface Bench {
  /** the court that hears it at first instance */
  readonly court: string;
  /** its 案号 code (岭01, 岭0102) */
  readonly courtCode: string;
  /** a short ASCII prefix for case ids (ylzy, ylqsfy) */
  readonly idPrefix: string;
}

const INTERMEDIATE: Bench = { court: COURT, courtCode: INTERMEDIATE_COURT_CODE, idPrefix: 'ylzy' };
const basic = (d: District): Bench => ({ court: d.court, courtCode: d.courtCode, idPrefix: d === QINGSHAN ? 'ylqsfy' : 'yljfy' });

/** the first-instance court of an administrative suit against `defendant` */
export const suitBench = (defendant: string): Bench => (PEOPLES_GOVERNMENTS.includes(defendant) ? INTERMEDIATE : basic(districtOf(defendant)));

/** the appeal court of a basic-level court's judgment */
export const appealBench = (): Bench => INTERMEDIATE;

/** the basic-level court of a district (civil cases, ordinary crimes) */
export const districtBench = (d: District): Bench => basic(d);

/** who investigates, prosecutes and tries a crime committed in `district`; `serious`: may bring life imprisonment */
export const criminalChain = (district: District, serious: boolean) =>
  serious
    ? { police: POLICE, proc: PROC, bench: INTERMEDIATE, policeShort: '岭公', procShort: '岭检' }
    : { police: district.police, proc: district.proc, bench: basic(district), policeShort: `岭${district.short}公`, procShort: `${district.short}检` };
