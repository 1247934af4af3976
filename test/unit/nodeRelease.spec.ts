import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { nodeMajor, nodeReleaseBannerLines, nodeReleaseStatus, nodeReleaseWarning, TESTED_NODE_RELEASES } from '../../infra/nodeRelease.js';

const day = (iso: string): Date => new Date(`${iso}T12:00:00Z`);

describe('Node.js release support (issue 19)', () => {
  it('reads the major release of process.version and of a bare version', () => {
    expect(nodeMajor('v20.20.2')).to.equal(20);
    expect(nodeMajor('24.22.3')).to.equal(24);
    expect(() => nodeMajor('twenty')).to.throw(TypeError);
  });

  it('Node.js 20: notice before 2026-04-30, past its end of life from that day on', () => {
    expect(nodeReleaseStatus('v20.20.2', day('2025-06-01')).kind).to.equal('supported');
    expect(nodeReleaseStatus('v20.20.2', day('2026-01-01'))).to.deep.equal({ kind: 'endingSoon', major: 20, endOfLife: '2026-04-30', daysLeft: 119 });
    expect(nodeReleaseStatus('v20.20.2', new Date('2026-04-29T23:59:59Z')).kind).to.equal('endingSoon');
    expect(nodeReleaseStatus('v20.20.2', new Date('2026-04-30T00:00:00Z')).kind).to.equal('endOfLife');
    expect(nodeReleaseStatus('v20.20.2', day('2026-12-03'))).to.deep.equal({ kind: 'endOfLife', major: 20, endOfLife: '2026-04-30' });
  });

  it('warns in Chinese on an end-of-life release and advises the newest maintained tested release', () => {
    const warning = nodeReleaseWarning('v20.20.2', day('2026-12-03'));
    expect(warning).to.equal('警告：Node.js 20（v20.20.2）已于 2026-04-30 停止维护（end of life），不再获得安全修复；请升级到 Node.js 24 LTS。');
    expect(nodeReleaseBannerLines('v20.20.2', day('2026-12-03'))).to.deep.equal([`  ${warning}`]);
    expect(nodeReleaseWarning('v18.20.0', day('2026-12-03'))).to.match(/^警告：Node\.js 18（v18\.20\.0）已于 2025-04-30 停止维护/);
    expect(nodeReleaseWarning('v16.20.2', day('2026-12-03')), 'older than the table').to.match(/^警告：Node\.js 16（v16\.20\.2）已停止维护/);
    expect(nodeReleaseWarning('v23.11.0', day('2026-12-03')), 'an odd release ends after six months').to.match(/^警告：Node\.js 23/);
  });

  it('says nothing on a maintained release, and gives notice within 180 days of the end', () => {
    expect(nodeReleaseWarning('v24.22.3', day('2026-12-03'))).to.equal(null);
    expect(nodeReleaseBannerLines('v24.22.3', day('2026-12-03'))).to.deep.equal([]);
    expect(nodeReleaseWarning('v22.23.5', day('2026-10-01'))).to.equal(null);
    expect(nodeReleaseWarning('v22.23.5', day('2026-12-03'))).to.equal('提示：Node.js 22（v22.23.5）将于 2027-04-30 停止维护（还有 148 天），请及早升级到 Node.js 24 LTS。');
    expect(nodeReleaseWarning('v22.23.5', day('2027-05-01'))).to.match(/^警告：Node\.js 22.*请升级到 Node\.js 24 LTS。$/);
  });

  it('a release the project has not tested gets a notice, not a warning, until its own end of life', () => {
    expect(nodeReleaseWarning('v26.12.1', day('2026-12-03'))).to.equal('提示：Node.js 26（v26.12.1）未经本项目测试（已测试：Node.js 20、22、24）；建议使用 Node.js 24 LTS。');
    expect(nodeReleaseStatus('v27.0.0', day('2027-05-01')).kind, 'newer than the table').to.equal('untested');
    expect(nodeReleaseStatus('v25.9.0', day('2026-06-01')).kind).to.equal('endOfLife');
  });

  it('when every tested release is past its end of life, advises a maintained LTS release without naming one', () => {
    expect(nodeReleaseWarning('v24.22.3', day('2028-05-01'))).to.match(/请升级到仍在维护的 Node\.js LTS 版本。$/);
  });

  it('package.json engines names exactly the tested releases', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { engines: { node: string } };
    const majors = pkg.engines.node.split('||').map((range) => nodeMajor(range.trim().replace(/^[\^~>=]+/, '')));
    expect(majors).to.deep.equal([...TESTED_NODE_RELEASES]);
  });
});
