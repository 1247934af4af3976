import { expect } from 'chai';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium, reportFailure, skipWithoutChromium } from './browser.js';
import { startProgram, stopProgram, tempDir, type RunningProgram } from './harness.js';

/**
 * GraphiQL in a real browser (Debian's chromium driven by playwright-core, as the console e2e does) against
 * the real program: the page served at /graphql loads the schema with the standard introspection query
 * (graphql.md "Guards": it is not refused for depth), so the documentation explorer shows the root types
 * and the fields of `Query`. The demo config's tokens are used, without the demo data (GraphiQL's Headers
 * tab starts with the demo organizer's token).
 */

describe('GraphiQL (e2e): the documentation explorer loads the schema in a real browser', function () {
  this.timeout(120_000);
  let program: RunningProgram;
  let browser: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  const dir = tempDir('ld-graphiql-');

  before(async function () {
    skipWithoutChromium(this, 'GraphiQL');
    program = await startProgram({ config: 'infra/config/demo.config.json', dataDir: join(dir, 'data') });
    ({ browser, page } = await launchChromium(dir, { defaultTimeout: 20_000, pageErrors }));
  });

  after(async () => {
    await browser?.close();
    if (program) await stopProgram(program);
    rmSync(dir, { recursive: true, force: true });
  });

  afterEach(async function () {
    await reportFailure(this, page, program, 'ld-graphiql-failed-');
  });

  it('opens /graphql, loads the schema by introspection and shows Query in the docs panel', async () => {
    const introspections: number[] = [];
    page.on('response', async (response) => {
      if (!response.url().endsWith('/graphql') || response.request().method() !== 'POST') return;
      if ((response.request().postData() ?? '').includes('__schema')) introspections.push(response.status());
    });
    await page.goto(`${program.base}/graphql`);
    await page.locator('.graphiql-container').waitFor();

    await page.getByRole('button', { name: 'Show Documentation Explorer' }).click();
    const docs = page.locator('.graphiql-doc-explorer');
    await docs.waitFor();
    // the root types are listed once the schema has loaded ("Error fetching schema" otherwise): "query: Query"
    await docs.locator('.graphiql-doc-explorer-root-type', { hasText: /^query$/ }).waitFor();
    const queryType = docs.locator('a.graphiql-doc-explorer-type-name', { hasText: /^Query$/ }).first();
    await queryType.waitFor();
    expect(await docs.locator('.graphiql-doc-explorer-error').count(), 'no schema error in the docs panel').to.equal(0);
    expect(introspections.length, 'GraphiQL asked for the schema').to.be.greaterThan(0);
    expect(introspections.every((status) => status === 200), `introspection answers: ${introspections.join(', ')}`).to.equal(true);

    // into Query: its fields are listed, e.g. meetings(from, to)
    await queryType.click();
    await docs.locator('.graphiql-doc-explorer-field-name', { hasText: 'meetings' }).first().waitFor();
    expect(pageErrors, pageErrors.join('\n')).to.deep.equal([]);
  });
});
