/**
 * The CloudEvents HTTP protocol binding's **binary** mode (CloudEvents 1.0, http-protocol-binding.md §3.1) for
 * one event: attributes in `ce-<name>` headers, `Content-Type` is `datacontenttype`, the body is `data`. The
 * result is the pipeline's IncomingEvent, so binary, structured and batch requests go through the same checks
 * and get the same answers — and the Kafka binding (infra/kafka/cloudEventsBinding.ts) keeps the same `raw` shape.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { IncomingEvent } from '../ingest/pipeline.js';

const CE_PREFIX = 'ce-';

/** true when the request carries CloudEvents attributes as headers */
export const hasCloudEventsHeaders = (headers: IncomingHttpHeaders): boolean => Object.keys(headers).some((name) => name.toLowerCase().startsWith(CE_PREFIX));

/**
 * A header value as the binding writes it: percent-encoded UTF-8 outside printable ASCII (§3.1.3.2). A client
 * that sent raw UTF-8 instead arrives here as Latin-1 (Node's reading of header bytes) and is read back as UTF-8.
 */
function headerText(value: string): string {
  const text = /[^\x00-\x7f]/.test(value) ? Buffer.from(value, 'latin1').toString('utf8') : value;
  try {
    return decodeURIComponent(text);
  } catch {
    return text; // a lone '%': taken as written
  }
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

/** One binary-mode request → the event as the pipeline sees it, and what was sent (headers, a blank line, the body). */
export function decodeBinaryRequest(headers: IncomingHttpHeaders, contentType: string, body: string): IncomingEvent {
  const attributes: [string, string][] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (!name.toLowerCase().startsWith(CE_PREFIX) || value === undefined) continue;
    // a repeated header arrives as an array (Node joins most with ", "); the last one wins, as on Kafka
    const last = Array.isArray(value) ? value[value.length - 1]! : value;
    attributes.push([name.slice(CE_PREFIX.length).toLowerCase(), headerText(last)]);
  }
  const event: Record<string, unknown> = {};
  for (const [name, value] of attributes) event[name] = value;
  event.datacontenttype = contentType;
  // data that is not JSON stays text, so the envelope check names `/data` instead of dropping it
  if (body !== '') event.data = parseJson(body) ?? body;
  const raw = `${[...attributes.map(([name, value]) => `${CE_PREFIX}${name}: ${value}`), `content-type: ${contentType}`].join('\n')}\n\n${body}`;
  return { value: event, raw };
}
