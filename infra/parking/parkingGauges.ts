/**
 * `liandong_parked_events` and `liandong_parked_oldest_age_seconds` (issue 18: parked counts and ages in /metrics):
 * read from the lot when /metrics is scraped, so every replica reports the one shared lot of distributed mode. An
 * oldest age near the parking window means agencies' events wait for facts that do not come: worth an alert.
 */
import { Gauge, type Registry } from 'prom-client';
import type { Clock } from '../../ports/clock.js';
import type { ParkingLot } from '../../ports/parkingLot.js';

export function registerParkingGauges(registry: Registry, lot: ParkingLot, clock: Clock): void {
  // one read of the lot per scrape, shared by the two gauges
  let reading: Promise<Awaited<ReturnType<ParkingLot['stats']>>> | null = null;
  const stats = () => (reading ??= lot.stats().finally(() => setImmediate(() => (reading = null))));
  new Gauge({
    name: 'liandong_parked_events',
    help: 'Events parked while they wait for a fact another agency has not published yet (events.md §5)',
    registers: [registry],
    async collect() {
      this.set((await stats()).count);
    },
  });
  new Gauge({
    name: 'liandong_parked_oldest_age_seconds',
    help: 'How long the longest-waiting parked event has waited (0 when none is parked)',
    registers: [registry],
    async collect() {
      const { oldestReceivedAt } = await stats();
      this.set(oldestReceivedAt === null ? 0 : Math.max(0, (clock.now().getTime() - Date.parse(oldestReceivedAt)) / 1000));
    },
  });
}
