/** The parking settings of a composition root: the lot, and the window from config `ingest.parkingMinutes`. */
import type { ParkingLot } from '../../ports/parkingLot.js';

export const parkingOf = (lot: ParkingLot, config: { ingest: { parkingMinutes: number } }) => ({ lot, windowMs: Math.round(config.ingest.parkingMinutes * 60_000) });
