/** The Clock port: the one place time enters. Tests pass a fixed clock. */
export interface Clock {
  now(): Date;
}
