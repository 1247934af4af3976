import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';
import { useEffect, useRef } from 'preact/hooks';

// the scorecard's bar charts (chart.js, bundled by web/build.mjs: no CDN), with lines for rates over quarters
Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Legend, Tooltip);

export interface Series {
  label: string;
  /** null: nothing counted (a gap, not a zero) */
  data: (number | null)[];
  color: string;
  /** a line over the bars, on the right-hand axis */
  line?: boolean;
}

/**
 * One chart in a figure: bars (counts or percentages) and optional lines on a second axis. `summary` is what a screen
 * reader hears instead of the canvas — the same numbers in words.
 */
export function SeriesChart(props: { title: string; labels: string[]; series: Series[]; summary: string; unit?: '%' | ''; lineUnit?: '%' | '' }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const key = JSON.stringify([props.labels, props.series, props.unit, props.lineUnit]);
  useEffect(() => {
    const unit = props.unit ?? '';
    const lineUnit = props.lineUnit ?? unit;
    const hasLine = props.series.some((s) => s.line);
    const chart = new Chart(canvas.current!, {
      data: {
        labels: props.labels,
        datasets: props.series.map((s) =>
          s.line
            ? { type: 'line' as const, label: s.label, data: s.data, borderColor: s.color, backgroundColor: s.color, yAxisID: 'y1', spanGaps: false }
            : { type: 'bar' as const, label: s.label, data: s.data, backgroundColor: s.color, yAxisID: 'y' },
        ),
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          // scaled to the values, not fixed at 100 %: a diversion rate of a few per cent must still be seen
          y: { min: 0, ticks: { callback: (v) => `${v}${unit}` } },
          ...(hasLine ? { y1: { min: 0, position: 'right' as const, grid: { drawOnChartArea: false }, ticks: { callback: (v: string | number) => `${v}${lineUnit}` } } } : {}),
        },
        plugins: { legend: { position: 'bottom' } },
      },
    });
    return () => chart.destroy();
  }, [key]);
  return (
    <figure class="chart card">
      <figcaption>{props.title}</figcaption>
      <div class="chart-box">
        <canvas ref={canvas} role="img" aria-label={props.summary} />
      </div>
    </figure>
  );
}

/** a fraction as a chart value in percent, one decimal */
export const asPercent = (rate: number | null | undefined): number | null => (rate === null || rate === undefined ? null : Math.round(rate * 1000) / 10);
