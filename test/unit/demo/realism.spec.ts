import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { AGENCY_NAMES } from '../../../infra/demo/names.js';
import { demoScenario, type CloudEvent } from '../../../infra/demo/scenario.js';
import { NOWS } from './nows.js';

/**
 * The demo city as a 司法局 officer would read it (issue 16, Deliver 4). Every rule is checked against tables written
 * here from the law and the config — not against infra/demo/jurisdiction.ts, which the city is generated with.
 */

interface ConfigAgency {
  id: string;
  kind: string;
  name: string;
  level?: 'city' | 'district' | 'township';
  parentId?: string;
  supervisorId?: string;
}
const config = JSON.parse(readFileSync(new URL('../../../infra/config/demo.config.json', import.meta.url), 'utf8')) as { agencies: ConfigAgency[]; city: { population?: number } };
const agencies = new Map(config.agencies.map((a) => [a.id, a]));
const agency = (id: string): ConfigAgency => {
  const a = agencies.get(id);
  if (!a) throw new Error(`not a configured agency: ${id}`);
  return a;
};
const levelOf = (id: string) => agency(id).level ?? 'city';

/** the districts of 云岭市; the city's own agencies sit in 青山区, the seat of the city government */
const DISTRICTS = ['青山区', '临江区'];
const SEAT = '青山区';
const districtOf = (id: string): string => DISTRICTS.find((d) => agency(id).name.includes(d.slice(0, 2))) ?? SEAT;
const courtOf = (level: 'city' | 'district', district: string): ConfigAgency => {
  const found = config.agencies.filter((a) => a.kind === 'court' && (a.level ?? 'city') === level && (level === 'city' || a.name.includes(district)));
  expect(found, `${level} court of ${district}`).to.have.length(1);
  return found[0]!;
};
/** 案号 court codes: 岭 (the fictional province's short name), the city's 01, the district's 02 / 03 */
const COURT_CODES: Record<string, string> = { 云岭市中级人民法院: '岭01', 云岭市青山区人民法院: '岭0102', 云岭市临江区人民法院: '岭0103' };
/** 行政诉讼法 Art. 15 (1): suits against a 县级以上地方人民政府 go to the 中级人民法院 */
const isPeoplesGovernment = (id: string) => agency(id).kind === 'government' && agency(id).name.endsWith('人民政府');
/** 刑事诉讼法 Art. 21: what the 中级人民法院 tries at first instance (in this city: crimes that may bring life imprisonment) */
const INTERMEDIATE_CRIMES = ['贩卖毒品'];
const ORDINARY_CRIMES = ['危险驾驶', '盗窃', '诈骗', '帮助信息网络犯罪活动', '故意伤害', '非法经营', '掩饰、隐瞒犯罪所得', '寻衅滋事', '重大责任事故', '非法吸收公众存款', '交通肇事'];
const CORRECTIVE = ['revoked', 'altered', 'confirmed_unlawful', 'confirmed_invalid', 'ordered_performance'];
const COURT_NUMBER = /^（(\d{4})）(岭\d{2}(?:\d{2})?)(行初|行终|刑初|民诉前调)(\d+)号$/;

const goodEvents = (iso: string): CloudEvent[] =>
  demoScenario(new Date(iso))
    .flatMap((s) => (s.kind === 'publish' ? s.events : []))
    .filter((e) => !e.id.startsWith('bad-'));

describe('demo city 云岭市 as a 司法局 officer reads it', () => {
  describe('its agencies (infra/config/demo.config.json)', () => {
    it('names every agency as the demo writes it', () => {
      expect(Object.fromEntries(config.agencies.map((a) => [a.id, a.name]))).to.deep.equal(AGENCY_NAMES);
    });

    it('has one 中级人民法院 and in every district a basic-level court, procuratorate, police branch, justice bureau and government', () => {
      expect(config.agencies.filter((a) => a.kind === 'court' && levelOf(a.id) === 'city').map((a) => a.name)).to.deep.equal(['云岭市中级人民法院']);
      for (const d of DISTRICTS) {
        const of = (kind: string) => config.agencies.filter((a) => a.kind === kind && a.level === 'district' && districtOf(a.id) === d);
        expect(of('court').map((a) => a.name)).to.deep.equal([`云岭市${d}人民法院`]);
        expect(of('procuratorate').map((a) => a.name)).to.deep.equal([`云岭市${d}人民检察院`]);
        expect(of('police').map((a) => [a.name, a.parentId])).to.deep.equal([[`云岭市公安局${d.slice(0, 2)}分局`, 'yl-police']]);
        expect(of('justice').map((a) => a.name)).to.deep.equal([`云岭市${d}司法局`]);
        expect(of('government').find((a) => a.name === `云岭市${d}人民政府`)?.supervisorId).to.equal('yl-gov');
      }
    });

    it('has in each district a township with its 两所一庭 under the district’s police branch, justice bureau and court', () => {
      for (const d of DISTRICTS) {
        const units = config.agencies.filter((a) => a.level === 'township' && districtOf(a.id) === d);
        expect(units.map((a) => a.kind).sort(), d).to.deep.equal(['court', 'justice', 'police']);
        for (const u of units) {
          const parent = agency(u.parentId!);
          expect([parent.kind, parent.level, districtOf(parent.id)], u.name).to.deep.equal([u.kind, 'district', d]);
        }
        expect(units.some((u) => u.name.endsWith('派出所')) && units.some((u) => u.name.endsWith('司法所')) && units.some((u) => u.name.endsWith('人民法庭'))).to.equal(true);
      }
    });

    it('gives every department its 上一级主管部门, and the city its population for 万人起诉率', () => {
      for (const a of config.agencies.filter((x) => x.kind === 'government' && x.id !== 'yl-gov')) {
        const supervisor = agency(a.supervisorId!);
        expect(supervisor.name.endsWith('人民政府'), a.name).to.equal(true);
      }
      expect(config.city.population).to.be.within(500_000, 5_000_000);
    });
  });

  for (const iso of NOWS) {
    describe(`with now = ${iso}`, () => {
      let events: CloudEvent[];
      let registered: Map<string, CloudEvent>;
      before(() => {
        events = goodEvents(iso);
        registered = new Map(events.filter((e) => e.type === 'case.registered').map((e) => [e.subject, e]));
      });
      const of = (type: string) => events.filter((e) => e.type === type);
      const kindOf = (caseId: string) => registered.get(caseId)?.data.kind;

      it('tries every first-instance administrative suit in the court the jurisdiction rules name', () => {
        const suits = [...registered.values()].filter((e) => e.data.kind === 'administrative_litigation');
        let firstInstance = 0;
        for (const suit of suits) {
          const [, , code, type] = COURT_NUMBER.exec(String(suit.data.caseNumber)) ?? [];
          expect(code, `${suit.subject}: ${String(suit.data.caseNumber)}`).to.be.a('string');
          expect(COURT_CODES[agency(suit.source).name], `${suit.subject} code`).to.equal(code);
          const defendant = String(suit.data.defendantAgencyId);
          if (type === '行终') {
            // appeals from a basic-level court are heard by the 中级人民法院
            expect(levelOf(suit.source), suit.subject).to.equal('city');
            continue;
          }
          expect(type).to.equal('行初');
          firstInstance++;
          const expected = isPeoplesGovernment(defendant) ? courtOf('city', SEAT) : courtOf('district', districtOf(defendant));
          expect(agency(suit.source).name, `${suit.data.title as string}`).to.equal(expected.name);
        }
        expect(firstInstance).to.be.at.least(25);
        expect(suits.filter((s) => levelOf(s.source) === 'district').length, 'most suits are at the basic-level courts').to.be.above(suits.length / 2);
        expect(suits.some((s) => String(s.data.caseNumber).includes('行终')), 'an appeal at the 中级人民法院').to.equal(true);
      });

      it('prosecutes and tries every crime at the level and in the district the law says', () => {
        const prosecutions = of('handoff.requested').filter((e) => e.data.purpose === 'public_prosecution');
        expect(prosecutions.length).to.be.at.least(8);
        for (const p of prosecutions) {
          // a 行刑衔接 case's title names the department's finding, an ordinary crime
          const crime = [...INTERMEDIATE_CRIMES, ...ORDINARY_CRIMES].find((c) => String(registered.get(p.subject)?.data.title).includes(c));
          const court = String(p.data.to);
          expect(levelOf(court), `${p.subject} (${crime ?? 'transfer'})`).to.equal(crime && INTERMEDIATE_CRIMES.includes(crime) ? 'city' : 'district');
          // the procuratorate of the court's level and district
          expect([levelOf(p.source), districtOf(p.source)], p.subject).to.deep.equal([levelOf(court), districtOf(court)]);
        }
        for (const r of of('handoff.requested').filter((e) => e.data.purpose === 'prosecution_review')) {
          const proc = String(r.data.to);
          // a 分局 sends to its district's 检察院; the city bureau (its 支队) to the 检察院 that will prosecute
          if (levelOf(r.source) === 'district') expect([levelOf(proc), districtOf(proc)], r.subject).to.deep.equal(['district', districtOf(r.source)]);
          else expect(agency(r.source).name, r.subject).to.equal('云岭市公安局');
        }
        const tried = new Set(prosecutions.map((p) => levelOf(String(p.data.to))));
        expect([...tried].sort()).to.deep.equal(['city', 'district']);
        const dui = [...registered.values()].filter((e) => String(e.data.title).includes('危险驾驶') && e.data.kind === 'criminal');
        expect(dui.length).to.be.at.least(3);
        for (const e of dui) expect(levelOf(e.source), e.subject).to.equal('district');
      });

      it('delivers community correction to the county-level justice bureau of the 执行地, which supervises it', () => {
        const deliveries = of('handoff.requested').filter((e) => e.data.purpose === 'community_correction');
        expect(deliveries.length).to.be.at.least(4);
        for (const d of deliveries) {
          const bureau = agency(String(d.data.to));
          expect([bureau.kind, bureau.level], d.subject).to.deep.equal(['justice', 'district']);
          expect(String(d.data.note), d.subject).to.include(`执行地：云岭市${districtOf(bureau.id)}`);
          for (const type of ['correction.reported', 'correction.absconded', 'correction.located']) {
            for (const e of of(type).filter((x) => x.subject === d.subject)) expect(e.source, `${type} ${d.subject}`).to.equal(bureau.id);
          }
        }
        expect(deliveries.some((d) => districtOf(String(d.data.to)) !== districtOf(d.source)), 'an offender living in another district than the court’s').to.equal(true);
        expect(of('correction.absconded').length).to.be.at.least(1);
        expect(of('correction.located').length).to.be.at.least(1);
      });

      it('numbers cases in the usual form, rising with the registration date per court (or agency) and case type', () => {
        const series = new Map<string, { time: number; n: number; id: string }[]>();
        for (const e of registered.values()) {
          const number = e.data.caseNumber as string | undefined;
          if (number === undefined) continue;
          const court = COURT_NUMBER.exec(number);
          const other = /^(.+?)〔(\d{4})〕(\d+)号$/.exec(number);
          expect(court ?? other, `${e.subject}: ${number}`).to.not.equal(null);
          const [key, year, n] = court ? [`${court[2]}${court[3]}`, court[1]!, court[4]!] : [other![1]!, other![2]!, other![3]!];
          expect(Number(year), number).to.equal(Number(e.time.slice(0, 4)));
          const list = series.get(`${key}/${year}`) ?? [];
          list.push({ time: Date.parse(e.time), n: Number(n), id: e.subject });
          series.set(`${key}/${year}`, list);
        }
        for (const [key, list] of series) {
          list.sort((a, b) => a.time - b.time);
          for (let i = 1; i < list.length; i++) expect(list[i]!.n, `${key}: ${list[i]!.id} after ${list[i - 1]!.id}`).to.be.above(list[i - 1]!.n);
        }
        expect([...series.keys()].filter((k) => /^岭0102/.test(k)).length, 'a basic-level court’s series').to.be.at.least(2);
        // no bracket inside a bracket anywhere people read (（（2026）…）, 〔〔…〕〕)
        const texts = JSON.stringify(events.map((e) => e.data));
        expect(texts).to.not.match(/（（|））|〔〔|〕〕|\(（|）\)/);
        // a 人民法庭 numbers in its court's series
        const township = [...registered.values()].filter((e) => agency(e.source).level === 'township' && agency(e.source).kind === 'court');
        expect(township.length).to.be.at.least(1);
        for (const e of township) expect(COURT_NUMBER.exec(String(e.data.caseNumber))?.[2], e.subject).to.equal(COURT_CODES[agency(agency(e.source).parentId!).name]);
      });

      it('reports a 败诉率 and a 复议纠错率 in the range of a city’s 通报 (5–15 %)', () => {
        const judgments = of('judgment.issued').filter((e) => kindOf(e.subject) === 'administrative_litigation');
        const lost = judgments.filter((e) => e.data.outcome === 'agency_lost').length;
        expect(judgments.length).to.be.at.least(20);
        expect(lost / judgments.length, `${lost} lost of ${judgments.length}`).to.be.within(0.05, 0.15);
        const decided = of('reconsideration.decided');
        const corrected = decided.filter((e) => CORRECTIVE.includes(String(e.data.decision))).length;
        expect(decided.length).to.be.at.least(20);
        expect(corrected / decided.length, `${corrected} corrected of ${decided.length}`).to.be.within(0.05, 0.15);
      });

      it('has each government dispute filed by the responsible department, a land grant by the department that granted it', () => {
        const disputes = [...registered.values()].filter((e) => e.data.kind === 'government_dispute');
        expect(disputes.length).to.be.at.least(3);
        for (const d of disputes) {
          const filer = agency(d.source);
          expect(filer.kind, d.subject).to.equal('government');
          const parties = d.data.parties as { name: string; type: string }[];
          // the filer is the 主管单位 (responsibleAgencyId) and the party, or the 主管 of the state enterprise that is (承办单位)
          expect(d.data.responsibleAgencyId, d.subject).to.equal(filer.id);
          const enterprise = parties.find((p) => p.type === 'state_enterprise');
          expect(enterprise ? d.data.handlingUnit : parties.some((p) => p.name === filer.name), d.subject).to.equal(enterprise ? enterprise.name : true);
          if (String(d.data.title).includes('土地使用权出让合同')) {
            expect(filer.name, d.subject).to.include('自然资源');
            expect(parties.some((p) => p.type === 'state_enterprise'), `${d.subject}: the grantor is the department`).to.equal(false);
          }
          // 备案 with the justice bureau of the filer's level
          const filing = of('handoff.requested').find((e) => e.subject === d.subject && e.data.to !== undefined && agency(String(e.data.to)).kind === 'justice');
          expect(filing, d.subject).to.not.equal(undefined);
          expect(levelOf(String(filing!.data.to)), d.subject).to.equal(levelOf(filer.id));
        }
        expect(new Set(disputes.map((d) => d.source)).size, 'filed by more than one department').to.be.at.least(2);
      });

      it('uses the revision-2 facts: appearance, reconsiderationCaseId, quarterly filings of every court', () => {
        const appearances = new Set(of('hearing.held').map((e) => e.data.appearance).filter((a) => a !== undefined));
        expect([...appearances].sort()).to.deep.equal(['deputy', 'entrusted_staff', 'principal']);
        const linked = [...registered.values()].filter((e) => e.data.reconsiderationCaseId !== undefined);
        expect(linked.length).to.be.at.least(1);
        for (const suit of linked) {
          const reconsideration = registered.get(String(suit.data.reconsiderationCaseId));
          expect(reconsideration?.data.kind, suit.subject).to.equal('administrative_reconsideration');
          expect(reconsideration!.data.defendantAgencyId).to.equal(suit.data.defendantAgencyId);
          const decision = of('reconsideration.decided').find((e) => e.subject === reconsideration!.subject)!;
          expect(Date.parse(decision.time), suit.subject).to.be.below(Date.parse(suit.time));
          // 复议维持: the 复议机关 is co-defendant (行政诉讼法 Art. 26)
          if (decision.data.decision === 'upheld') expect((suit.data.parties as { role: string }[]).filter((p) => p.role === 'defendant')).to.have.length(2);
        }
        const filings = of('court.filings_reported');
        const courts = config.agencies.filter((a) => a.kind === 'court' && a.level !== 'township').map((a) => a.id);
        const periods = new Set(filings.map((e) => e.data.period));
        expect(periods.size).to.be.at.least(1);
        for (const period of periods) expect(filings.filter((e) => e.data.period === period).map((e) => e.source).sort(), String(period)).to.deep.equal([...courts].sort());
        for (const e of filings) expect(e.subject).to.equal(`filings-${String(e.data.period)}`);
        // 万人起诉率 of the city per quarter: the order a city reports (about 15–60 a quarter)
        for (const period of periods) {
          const total = filings.filter((e) => e.data.period === period).reduce((n, e) => n + Number(e.data.civilFirstInstance) + Number(e.data.administrativeFirstInstance), 0);
          expect(total / (config.city.population! / 10_000), String(period)).to.be.within(15, 60);
        }
      });

      it('passes disputes from the township 派出所 and 人民法庭 to the 司法所 of the same township', () => {
        const referrals = of('handoff.requested').filter((e) => e.data.purpose === 'dispute_referral');
        expect(new Set(referrals.map((r) => agency(r.source).kind))).to.deep.equal(new Set(['police', 'court']));
        for (const r of referrals) {
          const from = agency(r.source);
          const to = agency(String(r.data.to));
          expect([from.level, to.level, to.kind], r.subject).to.deep.equal(['township', 'township', 'justice']);
          expect(districtOf(from.id), r.subject).to.equal(districtOf(to.id));
          expect(from.name.match(/分局(.+)派出所|人民法院(.+)人民法庭/)!.slice(1).find(Boolean), r.subject).to.equal(to.name.match(/司法局(.+)司法所/)![1]);
        }
        expect(of('handoff.completed').filter((e) => referrals.some((r) => r.data.handoffId === e.data.handoffId)).map((e) => e.data.outcome)).to.include('mediated');
      });
    });
  }
});
