import type { Request, Response } from 'express';
import type { Authenticator } from '../../gateway/auth.js';
import { hasRole } from '../../gateway/auth.js';
import { MAX_NESTING_DEPTH } from '../../domain/catalog/nesting.js';
import { arrayElementTexts } from '../ingest/arrayElementTexts.js';
import type { IncomingEvent, IngestPipeline, IngestResult } from '../ingest/pipeline.js';
import type { RejectionStore } from '../../ports/rejectionStore.js';
import type { Clock } from '../../ports/clock.js';
import { countIngested, zeroRejections, type Metrics } from './metrics.js';
import { readBody } from './readBody.js';
import { decodeBinaryRequest, hasCloudEventsHeaders } from './binaryMode.js';
import type { Logger } from '../log/logger.js';
import { jsonSyntaxMessage } from '../../gateway/jsonSyntax.js';

export const MAX_BATCH_EVENTS = 1000;
export const MAX_BODY_BYTES = 8 * 1024 * 1024;
/** what we keep of a body we refuse whole: enough for the agency to see what it sent */
const KEPT_RAW_BYTES = 64 * 1024;

const SINGLE = 'application/cloudevents+json';
const BATCH = 'application/cloudevents-batch+json';
/** binary mode: `data` as the body (events.md: `datacontenttype` is application/json) */
const BINARY_DATA = 'application/json';

/** POST /v1/events (operations.md "HTTP ingest"). */
export function ingestRoute(deps: {
  authenticate: Authenticator;
  pipeline: IngestPipeline;
  rejections: RejectionStore;
  clock: Clock;
  metrics: Metrics;
  /** read-after-write: resolves once the read models have applied everything up to `position` */
  waitForProjections?(position: bigint): Promise<void>;
}) {
  zeroRejections(deps.metrics, 'http');
  return async (req: Request, res: Response): Promise<void> => {
    const log = res.locals.log as Logger | undefined;
    const principal = deps.authenticate(req.headers.authorization);
    if (!principal) {
      res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'unauthorized', message: '缺少或无效的访问令牌：请在 Authorization 头中携带 Bearer token' });
      return;
    }
    if (!hasRole(principal, 'publisher')) {
      res.status(403).json({ error: 'forbidden', message: `${principal.name} 没有 publisher 角色，不能发布事件` });
      return;
    }
    const sender = { agency: principal.agency, principal: principal.name, channel: 'http' as const };
    const keep = async (code: 'invalid_envelope', message: string, raw: string) => {
      await deps.rejections.record([
        { agencyId: principal.agency.id, source: null, channel: 'http', receivedAt: deps.clock.now().toISOString(), code, message, eventId: null, eventType: null, raw: raw.slice(0, KEPT_RAW_BYTES) },
      ]);
      countIngested(deps.metrics, 'http', [{ status: 'rejected', code }]);
      log?.info({ principal: principal.name, agency: principal.agency.id, code }, `事件被退回（${code}）：${message}`);
    };

    const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const { text, tooLarge } = await readBody(req, MAX_BODY_BYTES);
    // CloudEvents HTTP binding: structured (one or a batch) by media type; binary (one event) by its ce-* headers
    const binary = contentType !== SINGLE && contentType !== BATCH && hasCloudEventsHeaders(req.headers);
    if (binary ? contentType !== BINARY_DATA : contentType !== SINGLE && contentType !== BATCH) {
      const message = binary
        ? `不支持的 Content-Type "${contentType || '(无)'}"：二进制模式（ce-* 头）的请求体是事件的 data，应为 ${BINARY_DATA}`
        : `不支持的 Content-Type "${contentType || '(无)'}"：单个事件用 ${SINGLE}，批量用 ${BATCH}，或二进制模式（属性放在 ce-* 头中，data 作为请求体，Content-Type: ${BINARY_DATA}）`;
      await keep('invalid_envelope', message, binary ? decodeBinaryRequest(req.headers, contentType, text).raw : text);
      res.status(415).json({ error: 'unsupported_media_type', message });
      return;
    }
    if (tooLarge) {
      const message = `请求体超过 ${MAX_BODY_BYTES / 1024 / 1024} MiB 上限，请分批发送`;
      await keep('invalid_envelope', message, text);
      res.status(413).json({ error: 'payload_too_large', message });
      return;
    }

    if (binary) {
      await answer([decodeBinaryRequest(req.headers, contentType, text)]);
      return;
    }

    let parsed: unknown;
    try {
      // JSON.parse does not recurse: any nesting parses, and each event's own nesting is checked by the pipeline
      parsed = JSON.parse(text);
    } catch (e) {
      if (!(e instanceof SyntaxError)) {
        // not a syntax error (the engine ran out of stack or memory on it): nothing of it can be answered one by one
        const message = `请求体无法解析（${(e as Error).name === 'RangeError' ? '嵌套过深' : '内存不足'}）：请减少嵌套层级（每个事件不超过 ${MAX_NESTING_DEPTH} 层）或分批发送`;
        await keep('invalid_envelope', message, text);
        res.status(400).json({ error: 'bad_request', message });
        return;
      }
      // Unparseable: one rejected result for the whole body, kept so the agency can see what it sent.
      const message = `JSON 解析失败：${jsonSyntaxMessage(e)}`;
      await keep('invalid_envelope', message, text);
      res.status(200).json({ results: [{ id: null, status: 'rejected', code: 'invalid_envelope', message }] });
      return;
    }
    const items = Array.isArray(parsed) ? parsed : [parsed];
    if (items.length > MAX_BATCH_EVENTS) {
      const message = `一批最多 ${MAX_BATCH_EVENTS} 个事件，本批 ${items.length} 个，请分批发送`;
      await keep('invalid_envelope', message, text);
      res.status(413).json({ error: 'payload_too_large', message });
      return;
    }
    // Each element of a batch keeps its own bytes, as sent: a rejection shows what the agency wrote, and nothing
    // has to be serialised again (JSON.stringify overflows the stack on a value nested a few thousand levels deep).
    const texts = Array.isArray(parsed) ? arrayElementTexts(text) : null;
    if (Array.isArray(parsed) && texts?.length !== items.length) throw new Error(`batch split into ${texts?.length ?? 'no'} texts for ${items.length} events`);
    const batch: IncomingEvent[] = texts ? items.map((value, i) => ({ value, raw: texts[i]! })) : [{ value: parsed, raw: text }];
    await answer(batch);

    async function answer(events: IncomingEvent[]): Promise<void> {
      const results: IngestResult[] = await deps.pipeline.ingest(events, sender);
      countIngested(deps.metrics, 'http', results);
      for (const r of results) {
        if (r.status === 'rejected') log?.info({ principal: principal!.name, agency: principal!.agency.id, eventId: r.id, code: r.code }, `事件被退回（${r.code}）：${r.message}`);
      }
      const newest = results.reduce<bigint | null>((max, r) => (r.status === 'accepted' && (max === null || BigInt(r.position) > max) ? BigInt(r.position) : max), null);
      if (newest !== null && deps.waitForProjections) await deps.waitForProjections(newest).catch(() => undefined); // stored is stored; a slow read model must not fail the publisher
      res.status(200).json({ results });
    }
  };
}

