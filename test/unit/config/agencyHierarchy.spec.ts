import { expect } from 'chai';
import { ConfigError, parseConfig } from '../../../infra/config/loadConfig.js';

// operations.md / events.md §1 revision 2: agency level, parentId, supervisorId; city.population
const base = {
  agencies: [
    { id: 'ly-gov', kind: 'government', name: '辽源市人民政府' },
    { id: 'ly-market', kind: 'government', name: '辽源市市场监督管理局', supervisorId: 'ly-gov' },
    { id: 'ly-justice', kind: 'justice', name: '辽源市司法局' },
    { id: 'ls-court', kind: 'court', name: '辽源市龙山区人民法院', level: 'district' },
    { id: 'ls-court-xa', kind: 'court', name: '龙山区人民法院向阳人民法庭', level: 'township', parentId: 'ls-court' },
  ],
  city: { name: '辽源市', population: 996000 },
};
const withAgencies = (agencies: object[]) => JSON.stringify({ ...base, agencies }, null, 2);
const problemsOf = (text: string): string => {
  try {
    parseConfig(text, 'test.json');
  } catch (e) {
    expect(e).to.be.instanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('config was accepted');
};

describe('config: agency hierarchy and city', () => {
  it('accepts levels, a unit under its parent, a supervisor and the population', () => {
    const config = parseConfig(JSON.stringify(base), 'test.json');
    expect(config.agencies.find((a) => a.id === 'ls-court-xa')).to.include({ level: 'township', parentId: 'ls-court' });
    expect(config.agencies.find((a) => a.id === 'ly-market')).to.include({ supervisorId: 'ly-gov' });
    expect(config.city.population).to.equal(996000);
  });

  it('accepts a config without city', () => {
    const { city: _city, ...rest } = base;
    expect(parseConfig(JSON.stringify(rest), 'test.json').city).to.deep.equal({});
  });

  it('refuses an unknown level', () => {
    expect(problemsOf(withAgencies([{ id: 'ly-x', kind: 'court', name: 'x', level: 'province' }]))).to.contain('township');
  });

  it('refuses a parent or supervisor that is not configured, or the agency itself', () => {
    expect(problemsOf(withAgencies([...base.agencies, { id: 'ly-y', kind: 'justice', name: 'y', parentId: 'ly-nowhere' }]))).to.contain('ly-nowhere');
    expect(problemsOf(withAgencies([...base.agencies, { id: 'ly-y', kind: 'justice', name: 'y', parentId: 'ly-y' }]))).to.contain('自身');
  });

  it('refuses a supervisor on an agency that is not a government agency, or a supervisor that is not one', () => {
    expect(problemsOf(withAgencies([...base.agencies, { id: 'ly-y', kind: 'court', name: 'y', supervisorId: 'ly-gov' }]))).to.contain('supervisorId');
    expect(problemsOf(withAgencies([...base.agencies, { id: 'ly-y', kind: 'government', name: 'y', supervisorId: 'ly-justice' }]))).to.contain('应为行政机关');
  });

  it('refuses a parent chain that loops', () => {
    const agencies = [
      { id: 'a-1', kind: 'justice', name: 'a', parentId: 'a-2' },
      { id: 'a-2', kind: 'justice', name: 'b', parentId: 'a-1' },
    ];
    expect(problemsOf(withAgencies(agencies))).to.contain('成环');
  });

  it('refuses a population that is not a positive whole number', () => {
    expect(problemsOf(JSON.stringify({ ...base, city: { population: 0 } }))).to.contain('population');
    expect(problemsOf(JSON.stringify({ ...base, city: { population: 9.5 } }))).to.contain('population');
  });
});
