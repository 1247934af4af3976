/**
 * operations.md "Logs": one JSON object per line (`time`, `level`, `msg`, and `reqId`, `principal`, `agency`, `err`
 * where they apply) when stdout is not a terminal, readable lines at a terminal, LIANDONG_LOG_FORMAT to force either,
 * nothing secret logged; an HTTP request's log records and its answer share one request id.
 */
import type { Server } from 'node:http';
import { expect } from 'chai';
import express from 'express';
import { createHttpApp } from '../../../infra/http/app.js';
import { createMetrics } from '../../../infra/http/metrics.js';
import { createProcessLogger, logFormatFrom } from '../../../infra/log/logger.js';

const collect = () => {
  const lines: string[] = [];
  return { lines, destination: { write: (line: string) => void lines.push(line) } };
};

describe('logs', () => {
  it('JSON when stdout is not a terminal, readable at a terminal, LIANDONG_LOG_FORMAT forcing either', () => {
    expect(logFormatFrom({}, { isTTY: false })).to.equal('json');
    expect(logFormatFrom({}, {})).to.equal('json');
    expect(logFormatFrom({}, { isTTY: true })).to.equal('pretty');
    expect(logFormatFrom({ LIANDONG_LOG_FORMAT: 'json' }, { isTTY: true })).to.equal('json');
    expect(logFormatFrom({ LIANDONG_LOG_FORMAT: 'pretty' }, { isTTY: false })).to.equal('pretty');
  });

  it('a JSON record per line with time, level (by name) and msg, and the fields given', () => {
    const out = collect();
    const { logger } = createProcessLogger({ format: 'json', env: {}, destination: out.destination });
    logger.warn({ principal: 'court-system', agency: 'xj-court' }, '事件被退回');
    expect(out.lines).to.have.length(1);
    expect(out.lines[0]!.endsWith('\n')).to.equal(true);
    const record = JSON.parse(out.lines[0]!) as Record<string, unknown>;
    expect(record).to.include({ level: 'warn', msg: '事件被退回', principal: 'court-system', agency: 'xj-court' });
    expect(new Date(record.time as string).toISOString()).to.equal(record.time);
  });

  it('never logs a token or a secret', () => {
    const out = collect();
    const { logger } = createProcessLogger({ format: 'json', env: {}, destination: out.destination });
    logger.info({ token: 'demo-court', webhook: { secret: 's3cr3t' }, req: { headers: { authorization: 'Bearer demo-court' } } }, '配置');
    expect(out.lines.join('')).to.not.match(/demo-court|s3cr3t/);
  });

  it('at a terminal: a line for people, with the error’s stack; the banner as written', () => {
    const out = collect();
    const log = createProcessLogger({ format: 'pretty', env: {}, destination: out.destination });
    log.logger.error({ ns: '读模型', err: new Error('磁盘已满') }, '提交失败');
    expect(out.lines[0]).to.match(/^\d\d:\d\d:\d\d 错误 \[读模型\] 提交失败\nError: 磁盘已满\n\s+at /);
    log.banner(['', '联动 liandong —— 已就绪', '  按 Ctrl+C 停止。'], '已就绪', { url: 'http://x' });
    expect(out.lines[1]).to.equal('\n联动 liandong —— 已就绪\n  按 Ctrl+C 停止。\n');
  });

  it('the banner in JSON is one record with the fields, not the lines', () => {
    const out = collect();
    const log = createProcessLogger({ format: 'json', env: {}, destination: out.destination });
    log.banner(['', '联动 liandong —— 已就绪'], '联动 liandong —— 已就绪（按 Ctrl+C 停止）', { url: 'http://127.0.0.1:4000' });
    expect(out.lines).to.have.length(1);
    expect(JSON.parse(out.lines[0]!)).to.include({ level: 'info', msg: '联动 liandong —— 已就绪（按 Ctrl+C 停止）', url: 'http://127.0.0.1:4000' });
  });

  it('an HTTP request that fails is logged with the request id its answer carries, and answered in Chinese', async () => {
    const out = collect();
    const { logger } = createProcessLogger({ format: 'json', env: {}, destination: out.destination });
    const failing = express.Router().get('/boom', () => {
      throw new Error('kaput');
    });
    const app = createHttpApp({ metrics: createMetrics(), health: { notReadyReason: async () => null }, routers: [failing], log: logger });
    const server: Server = await new Promise((ok) => {
      const s = app.listen(0, '127.0.0.1', () => ok(s));
    });
    try {
      const r = await fetch(`http://127.0.0.1:${(server.address() as { port: number }).port}/boom`);
      expect(r.status).to.equal(500);
      const reqId = r.headers.get('x-request-id')!;
      expect(((await r.json()) as { message: string }).message).to.contain(reqId).and.match(/平台内部错误/);
      const records = out.lines.map((l) => JSON.parse(l) as { level: string; reqId?: string; err?: { message: string }; route?: string });
      const error = records.find((rec) => rec.level === 'error');
      expect(error).to.include({ reqId, route: 'other' });
      expect(error!.err!.message).to.equal('kaput');
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
