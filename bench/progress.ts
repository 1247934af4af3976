/**
 * The progress display: one bar per step of the run (cli-progress), kept on screen when done, so the
 * terminal shows what has been measured so far and what is running now.
 */
import cliProgress from 'cli-progress';

export interface Step {
  /** sets the total (units of work: events, requests, seconds …) */
  total(n: number): void;
  update(done: number, label?: string): void;
  increment(by?: number): void;
  done(label?: string): void;
}

export interface Progress {
  step(name: string, total?: number, unit?: string): Step;
  /** a line above the bars */
  log(line: string): void;
  stop(): void;
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const bars = new cliProgress.MultiBar(
    {
      format: ' {name} [{bar}] {percentage}% | {value}/{total} {unit} {label}',
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      barsize: 24,
      stream,
      // a log file or CI gets a line every few seconds instead of redraws
      noTTYOutput: !stream.isTTY,
      notTTYSchedule: 5000,
    },
    cliProgress.Presets.shades_classic,
  );
  const nameWidth = 26;
  return {
    step(name, total = 1, unit = '') {
      const bar = bars.create(total, 0, { name: name.padEnd(nameWidth).slice(0, nameWidth), unit, label: '' });
      let value = 0;
      return {
        total: (n) => bar.setTotal(Math.max(1, n)),
        update: (done, label) => {
          value = done;
          bar.update(done, label === undefined ? {} : { label });
        },
        increment: (by = 1) => {
          value += by;
          bar.update(value);
        },
        done: (label) => {
          bar.setTotal(Math.max(1, value));
          bar.update(Math.max(1, value), { label: label ?? '✓' });
        },
      };
    },
    log: (line) => bars.log(`${line}\n`),
    stop: () => bars.stop(),
  };
}
