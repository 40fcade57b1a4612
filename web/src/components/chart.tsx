import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  label: string;
  values: number[];
  colour: string;
  /** A dashed line: [dash, gap] in pixels. */
  dash?: number[];
}

/** A time-series line chart (uPlot, canvas): x in epoch seconds, one line per series. */
/** `range` fixes the x axis (epoch seconds), so a few points do not stretch over years. */
export function TimeChart({ x, series, title, range }: { x: number[]; series: Series[]; title: string; range: [number, number] }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const width = () => Math.max(280, el.clientWidth);
    const plot = new uPlot(
      {
        width: width(),
        height: 260,
        series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.colour, width: 2, ...(s.dash ? { dash: s.dash } : {}), points: { show: x.length < 40 } }))],
        axes: [{}, { size: 56 }],
        scales: { x: { time: true, range: () => range }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        legend: { live: true, markers: { dash: (_u, i) => (series[i - 1]?.dash ? 'dashed' : 'solid') } },
      },
      [x, ...series.map((s) => s.values)],
      el,
    );
    const observer = new ResizeObserver(() => plot.setSize({ width: width(), height: 260 }));
    observer.observe(el);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [x, series, range[0], range[1]]);
  return <div ref={box} className="chart" role="img" aria-label={title} />;
}
