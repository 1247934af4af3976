/** A small keep-alive HTTP client: the load generator's own overhead must stay far below the server's. */
import { Agent, request } from 'node:http';

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

export async function postJson<T>(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; json: T }> {
  try {
    return await postOnce<T>(url, body, headers);
  } catch (e) {
    // a kept-alive socket the server closed while idle: send again on a new one (Node's documented remedy)
    if ((e as { reusedSocket?: boolean }).reusedSocket && (e as NodeJS.ErrnoException).code === 'ECONNRESET') return postOnce<T>(url, body, headers);
    throw e;
  }
}

function postOnce<T>(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; json: T }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: { 'content-length': Buffer.byteLength(body), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as T });
          } catch {
            reject(new Error(`${url}: HTTP ${res.statusCode} with a body that is not JSON: ${text.slice(0, 300)}`));
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', (error) => reject(Object.assign(error, { reusedSocket: req.reusedSocket })));
    req.end(body);
  });
}

export interface GraphqlAnswer {
  data?: Record<string, any> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

export async function graphql(base: string, token: string, query: string, variables: Record<string, unknown> = {}): Promise<GraphqlAnswer> {
  const { json } = await postJson<GraphqlAnswer>(`${base}/graphql`, JSON.stringify({ query, variables }), {
    'content-type': 'application/json',
    authorization: `Bearer ${token}`,
  });
  return json;
}

export const closeAgent = (): void => agent.destroy();
