import { readFileSync } from 'node:fs';

/** `liandong publish`: what an agency's integrator runs to try the HTTP ingest by hand. */
export async function publishFile(options: { file: string; url: string; token: string | undefined }): Promise<number> {
  if (!options.token) {
    console.error('缺少令牌：用 --token T 或环境变量 LIANDONG_TOKEN 提供本机构 publisher 令牌');
    return 2;
  }
  const body = readFileSync(options.file, 'utf8');
  const batch = Array.isArray(JSON.parse(body));
  const response = await fetch(new URL('/v1/events', options.url), {
    method: 'POST',
    headers: {
      authorization: `Bearer ${options.token}`,
      'content-type': batch ? 'application/cloudevents-batch+json' : 'application/cloudevents+json',
    },
    body,
  });
  const answer = (await response.json().catch(() => null)) as { results?: { id: string | null; status: string; position?: string; code?: string; message?: string }[]; message?: string } | null;
  if (!response.ok || !answer?.results) {
    console.error(`平台拒绝了请求 (HTTP ${response.status})：${answer?.message ?? ''}`);
    return 1;
  }
  let rejected = 0;
  for (const r of answer.results) {
    if (r.status === 'rejected') rejected++;
    const detail = r.status === 'rejected' ? `${r.code} — ${r.message}` : `position ${r.position}`;
    console.log(`${r.id ?? '(无 id)'}\t${r.status}\t${detail}`);
  }
  console.log(`共 ${answer.results.length} 条：${answer.results.length - rejected} 条已接收或重复，${rejected} 条被退回`);
  return rejected > 0 ? 1 : 0;
}
