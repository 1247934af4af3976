/**
 * Which Node.js releases liandong runs on, and the warning the start-up banners print on one past its end of life
 * (issue 19). The rule is the table below: release line → the day the Node.js project stops fixing it
 * (https://github.com/nodejs/Release). Add a line when a new release ships; keep TESTED_NODE_RELEASES in step with
 * scripts/node-matrix.sh (what CI runs `npm test` on), `engines` in package.json and the README.
 */

/** release line → end of life (UTC day, inclusive: from that day on the release gets no more fixes) */
export const NODE_END_OF_LIFE: Readonly<Record<number, string>> = {
  18: '2025-04-30',
  19: '2023-06-01',
  20: '2026-04-30',
  21: '2024-06-01',
  22: '2027-04-30',
  23: '2025-06-01',
  24: '2028-04-30',
  25: '2026-06-01',
  26: '2029-04-30',
};

/** the releases `npm test` runs on in CI: the machine's Node.js 20 (deprecated) and, installed from npm, 22 and 24 LTS */
export const TESTED_NODE_RELEASES: readonly number[] = [20, 22, 24];

/** a release this close to its end of life gets a notice, so an upgrade can be planned */
export const END_OF_LIFE_NOTICE_DAYS = 180;

export type NodeReleaseStatus =
  | { kind: 'supported'; major: number; endOfLife: string }
  | { kind: 'endingSoon'; major: number; endOfLife: string; daysLeft: number }
  | { kind: 'endOfLife'; major: number; endOfLife: string | null }
  | { kind: 'untested'; major: number; endOfLife: string | null };

const DAY_MS = 86_400_000;

/** The major release of a version string such as `v20.20.2` (process.version) or `24.1.0`. */
export function nodeMajor(version: string): number {
  const match = /^v?(\d+)\./.exec(version);
  if (!match) throw new TypeError(`not a Node.js version: ${version}`);
  return Number(match[1]);
}

/** Where `version` stands on `today`. A release older than every line in the table is past its end of life. */
export function nodeReleaseStatus(version: string, today: Date): NodeReleaseStatus {
  const major = nodeMajor(version);
  const endOfLife = NODE_END_OF_LIFE[major] ?? null;
  const oldest = Math.min(...Object.keys(NODE_END_OF_LIFE).map(Number));
  if (endOfLife === null) return major < oldest ? { kind: 'endOfLife', major, endOfLife } : { kind: 'untested', major, endOfLife };
  const daysLeft = Math.ceil((Date.parse(`${endOfLife}T00:00:00Z`) - today.getTime()) / DAY_MS);
  if (daysLeft <= 0) return { kind: 'endOfLife', major, endOfLife };
  if (!TESTED_NODE_RELEASES.includes(major)) return { kind: 'untested', major, endOfLife };
  if (daysLeft <= END_OF_LIFE_NOTICE_DAYS) return { kind: 'endingSoon', major, endOfLife, daysLeft };
  return { kind: 'supported', major, endOfLife };
}

/** the upgrade to advise on `today`: the newest tested release still maintained, or any maintained LTS release */
function upgradeTo(today: Date): string {
  const maintained = TESTED_NODE_RELEASES.filter((m) => nodeReleaseStatus(`${m}.0.0`, today).kind !== 'endOfLife');
  return maintained.length > 0 ? `升级到 Node.js ${Math.max(...maintained)} LTS` : '升级到仍在维护的 Node.js LTS 版本';
}

/** The line the banners print for `version` on `today` (Chinese, for the operator), or null when there is nothing to say. */
export function nodeReleaseWarning(version: string = process.version, today: Date = new Date()): string | null {
  const status = nodeReleaseStatus(version, today);
  switch (status.kind) {
    case 'supported':
      return null;
    case 'endingSoon':
      return `提示：Node.js ${status.major}（${version}）将于 ${status.endOfLife} 停止维护（还有 ${status.daysLeft} 天），请及早${upgradeTo(today)}。`;
    case 'endOfLife':
      return (
        `警告：Node.js ${status.major}（${version}）${status.endOfLife ? `已于 ${status.endOfLife} ` : '已'}停止维护（end of life），` +
        `不再获得安全修复；请${upgradeTo(today)}。`
      );
    case 'untested':
      return `提示：Node.js ${status.major}（${version}）未经本项目测试（已测试：Node.js ${TESTED_NODE_RELEASES.join('、')}）；建议${upgradeTo(today).replace('升级到', '使用')}。`;
  }
}

/** the warning as banner lines: none, or one indented line */
export function nodeReleaseBannerLines(version: string = process.version, today: Date = new Date()): string[] {
  const warning = nodeReleaseWarning(version, today);
  return warning === null ? [] : [`  ${warning}`];
}
