/**
 * The CLI's conventions (operations.md "CLI"; issue 17, item 5): every command answers `--help` (and `-h`) with
 * its own usage and exit 0 without starting anything, `liandong --version` prints the package's version, and
 * `npm exec liandong -- …` runs the program from the project directory (package.json `bin`).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { main } from '../../../infra/cli/main.js';

const run = promisify(execFile);
const PACKAGE = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string; bin: Record<string, string> };
const COMMANDS = ['start', 'publish', 'ingest', 'project', 'gateway', 'replay', 'audit', 'bench'];

/** runs main() with console.log/error captured */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...args: unknown[]) => void out.push(args.join(' '));
  console.error = (...args: unknown[]) => void err.push(args.join(' '));
  try {
    return { code: await main(argv), out: out.join('\n'), err: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
  }
}

describe('CLI: --help on every command, --version, npm exec', function () {
  this.timeout(30_000);

  for (const command of COMMANDS) {
    for (const flag of ['--help', '-h']) {
      it(`liandong ${command} ${flag}: its own usage on stdout, exit 0`, async () => {
        const r = await cli(command, flag);
        expect(r.code, r.err).to.equal(0);
        expect(r.err).to.equal('');
        expect(r.out).to.match(new RegExp(`^用法 \\(usage\\): liandong ${command}`));
        expect(r.out).to.match(new RegExp(`^  ${command}\\b`, 'm'));
      });
    }
  }

  it('liandong audit verify --help and liandong help replay', async () => {
    expect((await cli('audit', 'verify', '--help')).code).to.equal(0);
    const help = await cli('help', 'replay');
    expect(help.code).to.equal(0);
    expect(help.out).to.contain('replay [--projection NAME]');
  });

  it('liandong --help lists every command, exit 0; no command at all is a usage error (exit 2)', async () => {
    const r = await cli('--help');
    expect(r.code).to.equal(0);
    for (const command of COMMANDS) expect(r.out).to.match(new RegExp(`^  ${command}\\b`, 'm'));
    expect((await cli()).code).to.equal(2);
  });

  it('an unknown command is one Chinese line and the usage, exit 2, even with --help', async () => {
    const r = await cli('frobnicate', '--help');
    expect(r.code).to.equal(2);
    expect(r.err).to.match(/^未知命令 "frobnicate"/);
  });

  it('liandong --version prints the version of package.json', async () => {
    const r = await cli('--version');
    expect(r.code).to.equal(0);
    expect(r.out).to.match(new RegExp(`^liandong ${PACKAGE.version.replaceAll('.', '\\.')}（Node\\.js v\\d+`));
  });

  it('npm exec liandong -- --version runs the bin of package.json', async () => {
    expect(PACKAGE.bin).to.have.property('liandong');
    const { stdout } = await run('npm', ['exec', '--no', 'liandong', '--', '--version'], { cwd: new URL('../../..', import.meta.url).pathname });
    expect(stdout).to.contain(`liandong ${PACKAGE.version}`);
  });
});
