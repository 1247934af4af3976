import { gql, session } from './api';

/** One result of POST /v1/events (operations.md "HTTP ingest"), in request order. */
export interface PublishResult {
  id: string;
  status: 'accepted' | 'duplicate' | 'parked' | 'rejected';
  position?: string;
  code?: string;
  message?: string;
  parkedUntil?: string;
}

/**
 * Sends CloudEvents as the signed-in clerk: the same POST /v1/events an agency system uses, with the tab's token,
 * so the platform checks the publisher role and the source exactly as it does for machines. `body` is sent as
 * written (a 补正 resends the clerk's corrected text, not a re-serialised copy); an array goes as a batch.
 */
export async function publish(body: string): Promise<PublishResult[]> {
  let batch = false;
  try {
    batch = Array.isArray(JSON.parse(body));
  } catch {
    // not JSON: the platform answers with the invalid_envelope rejection, which says what is wrong
  }
  const token = session.token();
  const response = await fetch('/v1/events', {
    method: 'POST',
    headers: {
      'content-type': batch ? 'application/cloudevents-batch+json' : 'application/cloudevents+json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body,
  });
  const answer = (await response.json().catch(() => null)) as { results?: PublishResult[]; error?: string; message?: string } | null;
  if (!response.ok || !answer?.results) throw new Error(answer?.message ?? answer?.error ?? `HTTP ${response.status}`);
  return answer.results;
}

/** a new CloudEvent from this agency about a case (events.md §2) */
export function cloudEvent(source: string, type: string, subject: string, data: Record<string, unknown>) {
  return { specversion: '1.0', id: crypto.randomUUID(), source, type, subject, time: new Date().toISOString(), datacontenttype: 'application/json', data };
}

export interface PublishStatus {
  source: string;
  id: string;
  status: 'ACCEPTED' | 'DUPLICATE' | 'PARKED' | 'REJECTED' | 'UNKNOWN';
  position: string | null;
  code: string | null;
  message: string | null;
  parkedUntil: string | null;
}

/** graphql.md revision 2 `publishStatus`: what finally became of an event the agency sent */
export const publishStatus = (source: string, id: string) =>
  gql<{ publishStatus: PublishStatus }>(
    `query($source: String!, $id: String!) { publishStatus(source: $source, id: $id) { source id status position code message parkedUntil } }`,
    { source, id },
  ).then((d) => d.publishStatus);
