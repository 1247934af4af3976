/**
 * Webhook delivery (operations.md "Notifications"): `POST` of the JSON body `{ id, type, agencyId, caseId?, clock?,
 * dueDate?, text }` with `X-Liandong-Signature: sha256=<hex HMAC-SHA256 of the raw body>`, keyed with the agency's
 * secret, read once at start from the environment variable the config names. A 2xx is delivered; anything else, a
 * timeout or a network error is a failed attempt with a Chinese reason.
 */
import { createHmac } from 'node:crypto';
import type { NotificationSender, StoredNotification } from '../../ports/notifications.js';

export interface WebhookConfig {
  agencyId: string;
  url: string;
  /** the name of the environment variable holding the secret */
  secretEnv: string;
}

export class WebhookConfigError extends Error {
  override name = 'WebhookConfigError';
}

export const SIGNATURE_HEADER = 'X-Liandong-Signature';

/** `sha256=<hex>` of the body: what a receiver computes with its copy of the secret and compares */
export function signature(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** the body sent for a notice: optional fields only when they have a value */
export function webhookBody(n: StoredNotification): string {
  return JSON.stringify({
    id: n.id,
    type: n.type,
    agencyId: n.agencyId,
    ...(n.caseId !== null ? { caseId: n.caseId } : {}),
    ...(n.clock !== null ? { clock: n.clock } : {}),
    ...(n.dueDate !== null ? { dueDate: n.dueDate } : {}),
    text: n.text,
  });
}

export function createWebhookSender(hooks: readonly WebhookConfig[], env: NodeJS.ProcessEnv, options: { timeoutMs?: number } = {}): NotificationSender {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const byAgency = new Map<string, { url: string; secret: string }>();
  for (const hook of hooks) {
    const secret = env[hook.secretEnv];
    if (secret === undefined || secret === '') {
      throw new WebhookConfigError(`通知：${hook.agencyId} 的 webhook 需要签名密钥，请设置环境变量 ${hook.secretEnv}（配置 notifications.webhooks[].secretEnv）后再启动`);
    }
    byAgency.set(hook.agencyId, { url: hook.url, secret });
  }
  return {
    routes: (agencyId) => byAgency.has(agencyId),
    async send(notice) {
      const hook = byAgency.get(notice.agencyId);
      if (hook === undefined) return { ok: false, error: `${notice.agencyId} 没有配置 webhook` };
      const body = webhookBody(notice);
      try {
        const response = await fetch(hook.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature(body, hook.secret) },
          body,
          signal: AbortSignal.timeout(timeoutMs),
        });
        await response.arrayBuffer().catch(() => undefined);
        return response.ok ? { ok: true } : { ok: false, error: `接收方答复 HTTP ${response.status}` };
      } catch (error) {
        const e = error as Error & { cause?: { code?: string } };
        if (e.name === 'TimeoutError') return { ok: false, error: `接收方 ${timeoutMs / 1000} 秒内未答复` };
        return { ok: false, error: `无法连接接收方：${e.cause?.code ?? e.message}` };
      }
    },
  };
}
