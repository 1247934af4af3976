/**
 * The CloudEvents Kafka protocol binding (CloudEvents 1.0, kafka-protocol-binding.md), both ways.
 *
 * Structured mode: the value is the whole event as JSON (`content-type: application/cloudevents+json`,
 * or no content-type at all). Binary mode: attributes in `ce_<name>` headers, `content-type` is
 * `datacontenttype`, the value is `data`. Either way the result is the pipeline's IncomingEvent, so
 * Kafka and HTTP share one validate → authorize → dedupe → decide → append path.
 */
import type { IHeaders, Message } from 'kafkajs';
import type { IncomingEvent } from '../ingest/pipeline.js';

export type BindingMode = 'structured' | 'binary';

export interface DecodedMessage {
  mode: BindingMode;
  incoming: IncomingEvent;
}

export const STRUCTURED_CONTENT_TYPE = 'application/cloudevents+json';
const CE_PREFIX = 'ce_';

/** header values as text (kafkajs gives Buffers; a header may repeat: the last one wins, as in HTTP) */
export function headersAsText(headers: IHeaders | undefined): [string, string][] {
  const out: [string, string][] = [];
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) out.push([name, Buffer.isBuffer(v) ? v.toString('utf8') : String(v)]);
  }
  return out;
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

/** One Kafka record → the event as the pipeline sees it, with the bytes that were sent. */
export function decodeCloudEvent(message: { value: Buffer | null; headers?: IHeaders }): DecodedMessage {
  const headers = headersAsText(message.headers);
  const text = message.value === null ? '' : message.value.toString('utf8');
  const contentType = headers.findLast(([name]) => name.toLowerCase() === 'content-type')?.[1];
  const attributes = headers.filter(([name]) => name.toLowerCase().startsWith(CE_PREFIX));
  const structured = contentType?.toLowerCase().startsWith('application/cloudevents') || attributes.length === 0;
  if (structured) {
    return { mode: 'structured', incoming: { value: parseJson(text), raw: text } };
  }
  const event: Record<string, unknown> = {};
  for (const [name, value] of attributes) event[name.slice(CE_PREFIX.length).toLowerCase()] = value;
  if (contentType !== undefined) event.datacontenttype = contentType;
  // data that is not JSON stays text, so the envelope check names `/data` instead of dropping it
  if (message.value !== null) event.data = parseJson(text) ?? text;
  // what was sent: the headers, a blank line, then the value — like an HTTP message
  const raw = `${headers.map(([name, value]) => `${name}: ${value}`).join('\n')}\n\n${text}`;
  return { mode: 'binary', incoming: { value: event, raw } };
}

/** A structured-mode record for one event: key = subject, so one case's events stay on one partition. */
export function encodeStructured(event: Record<string, unknown>): Message {
  return {
    key: typeof event.subject === 'string' ? event.subject : null,
    value: JSON.stringify(event),
    headers: { 'content-type': STRUCTURED_CONTENT_TYPE },
  };
}

/** A binary-mode record: attributes as `ce_*` headers, `data` as the value. */
export function encodeBinary(event: Record<string, unknown>): Message {
  const headers: Record<string, string> = { 'content-type': typeof event.datacontenttype === 'string' ? event.datacontenttype : 'application/json' };
  for (const [name, value] of Object.entries(event)) {
    if (name === 'data' || name === 'datacontenttype' || value === undefined) continue;
    headers[`${CE_PREFIX}${name}`] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return {
    key: typeof event.subject === 'string' ? event.subject : null,
    value: event.data === undefined ? null : JSON.stringify(event.data),
    headers,
  };
}
