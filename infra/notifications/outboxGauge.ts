/** `liandong_notifications{state}`: the outbox's notices by delivery state, read when /metrics is scraped (both modes). */
import { Gauge, type Registry } from 'prom-client';
import { DELIVERY_STATES, type NotificationOutbox } from '../../ports/notifications.js';

export function registerOutboxGauge(registry: Registry, outbox: NotificationOutbox): void {
  new Gauge({
    name: 'liandong_notifications',
    help: 'Notifications in the outbox by delivery state (pending: waiting for an attempt; failed: not delivered within the retry window)',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const counts = await outbox.counts();
      for (const state of DELIVERY_STATES) this.set({ state }, counts[state]);
    },
  });
}
