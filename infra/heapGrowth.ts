/**
 * How far V8 lets the heap grow past what survived the last full collection before it collects again.
 *
 * By default V8 chooses that factor itself (up to 4×) and lets garbage stay until the heap limit, which is about
 * 4 GB on this machine: the program's resident memory was mostly dead case states and documents, not data it holds
 * (docs/decisions.md "The heap grows by half", issue 14: 1,085 MiB at the peak of a 200,000-event ingest, 622 MiB
 * with the old space capped at 384 MB, 675 MiB with this factor). A fixed factor bounds the heap to a multiple of what
 * is alive, whatever the data's size, where `--max-old-space-size` would be a wall the process dies against once a
 * city's data outgrows it. It costs throughput: the Kafka ingest lost 11–23 % (docs/benchmarks.md).
 *
 * V8 reads the factor at each full collection, so setting it when the process starts takes effect (unlike the
 * heap's limits, which are fixed when the heap is made). LIANDONG_HEAP_GROWING_PERCENT sets another percentage;
 * 0 gives the choice back to V8.
 */
import { setFlagsFromString } from 'node:v8';

export const DEFAULT_HEAP_GROWING_PERCENT = 50;

/** the percentage in effect from `env`, or an error text that says what to write instead */
export function heapGrowingPercent(env: NodeJS.ProcessEnv): number | string {
  const given = env.LIANDONG_HEAP_GROWING_PERCENT;
  if (given === undefined || given.trim() === '') return DEFAULT_HEAP_GROWING_PERCENT;
  const percent = Number(given);
  if (!Number.isInteger(percent) || percent < 0 || percent > 1000) {
    return `LIANDONG_HEAP_GROWING_PERCENT 应为 0–1000 的整数（堆在上次完整回收后可增长的百分比；0 表示由 V8 自定），当前为 "${given}"`;
  }
  return percent;
}

/** sets the factor for this process (a percentage from heapGrowingPercent); 0 leaves V8's own choice */
export function boundHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
