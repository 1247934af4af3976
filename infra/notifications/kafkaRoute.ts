/**
 * Notifications on Kafka in distributed mode (operations.md "Notifications": topic `liandong.notifications`, key =
 * agency id), beside the agency's webhook. Every agency is reachable there, so every notice is routed; the value is
 * the webhook's body, with the id also in a header so a consumer can drop repeats without parsing.
 *
 * One delivery state per notice covers both ways out: the notice goes to Kafka on its first attempt (and again
 * only while Kafka is what failed), then to the webhook when the agency has one. A webhook that keeps failing is
 * retried without putting the notice on the topic again each time; a crash between the two puts it there twice at
 * most, which at-least-once delivery allows (same id).
 */
import type { Producer } from 'kafkajs';
import type { NotificationSender, StoredNotification } from '../../ports/notifications.js';
import { webhookBody } from './webhookSender.js';

/** the start of `lastError` when Kafka refused the notice: the next attempt puts it on the topic again */
export const KAFKA_FAILURE = 'Kafka：';

export function createKafkaNotificationSender(options: { producer: Pick<Producer, 'send'>; topic: string; webhooks: NotificationSender }): NotificationSender {
  const { producer, topic, webhooks } = options;
  const needsKafka = (n: StoredNotification): boolean => n.attempts === 0 || (n.lastError ?? '').startsWith(KAFKA_FAILURE);
  return {
    routes: () => true,
    async send(notice) {
      if (needsKafka(notice)) {
        try {
          await producer.send({ topic, acks: -1, messages: [{ key: notice.agencyId, value: webhookBody(notice), headers: { 'liandong-notification-id': notice.id } }] });
        } catch (error) {
          return { ok: false, error: `${KAFKA_FAILURE}${(error as Error).message}` };
        }
      }
      return webhooks.routes(notice.agencyId) ? webhooks.send(notice) : { ok: true };
    },
  };
}
