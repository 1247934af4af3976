/**
 * The HTTP surface when the database cannot be reached (issue 18): a store error that outlived the store's retries is
 * a 503 with Retry-After, never a 500; /readyz carries the probe's details (the gateway's projection lag) in its body.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { expect } from 'chai';
import express from 'express';
import { createHttpApp } from '../../../infra/http/app.js';
import { createMetrics } from '../../../infra/http/metrics.js';

describe('HTTP answers while the database is unreachable', () => {
  let server: Server;
  let base: string;
  before(async () => {
    const failing = express.Router();
    failing.get('/refused', () => {
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    });
    failing.get('/terminated', () => {
      throw Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    });
    failing.get('/bug', () => {
      throw new Error('a bug');
    });
    const app = createHttpApp({
      metrics: createMetrics(),
      health: { notReadyReason: async () => null, details: () => ({ projectionLag: 1500 }) },
      routers: [failing],
    });
    server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('answers 503 with Retry-After for a refused or terminated connection', async () => {
    for (const path of ['/refused', '/terminated']) {
      const response = await fetch(`${base}${path}`);
      expect(response.status, path).to.equal(503);
      expect(response.headers.get('retry-after')).to.equal('5');
      expect(((await response.json()) as { error: string }).error).to.equal('unavailable');
    }
  });

  it('still answers 500 for what is not the database', async () => {
    const original = console.error;
    console.error = () => undefined;
    try {
      expect((await fetch(`${base}/bug`)).status).to.equal(500);
    } finally {
      console.error = original;
    }
  });

  it('reports the lag in the /readyz body and stays ready', async () => {
    const response = await fetch(`${base}/readyz`);
    expect(response.status).to.equal(200);
    expect(await response.json()).to.deep.equal({ status: 'ready', projectionLag: 1500 });
  });
});
