/**
 * The report's per-cell chart (uPlot, as CellHistogram.tsx): for each cell in notebook order the
 * share of active students who ran it (light bar) and who succeeded (dark bar), and, when there was
 * a previous meeting, last time's succeeded share as a black dash. Stuck cells carry ⚠ under their
 * number. The bars differ in lightness as well as hue, so a black-and-white print still reads.
 *
 * Printing: a canvas is a bitmap, so when the page is printed (window.print, or print media
 * emulated) the chart is drawn again at paper width and twice the resolution, and the print CSS
 * scales it to the column: sharp on paper, its text as large as on screen.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { CellChartData } from './sessionFormat.ts';

/** The printed column at 96 px per inch: A4 or Letter less 12 mm margins is ~700 px; a little less. */
export const PRINT_WIDTH = 680;
const RAN = '#56B4E9';
const SUCCEEDED = '#0072B2';

interface Props {
  data: CellChartData;
  /** Series names for the legend and the screen reader's description. */
  names: { ran: string; succeeded: string; previous: string; stuck: string };
}

/** Whether the page is being printed (print media), following its changes. */
function usePrinting(): boolean {
  const [printing, setPrinting] = useState(() => matchMedia('print').matches);
  useEffect(() => {
    const query = matchMedia('print');
    const follow = () => setPrinting(query.matches);
    const before = () => setPrinting(true);
    query.addEventListener('change', follow);
    addEventListener('beforeprint', before);
    addEventListener('afterprint', follow);
    return () => {
      query.removeEventListener('change', follow);
      removeEventListener('beforeprint', before);
      removeEventListener('afterprint', follow);
    };
  }, []);
  return printing;
}

/** A dash per cell at last time's share (the "previous" series, drawn after the bars). */
function dashes(u: uPlot, seriesIdx: number, text: number): void {
  const ctx = u.ctx;
  const values = u.data[seriesIdx];
  // As wide as the two bars: each is 0.4 of a cell's slot, at most 48 px (text-scaled), in canvas pixels.
  const half = Math.min((u.bbox.width / Math.max(1, u.data[0].length)) * 0.4, 48 * text * uPlot.pxRatio);
  ctx.save();
  ctx.strokeStyle = '#000';
  ctx.lineWidth = 3 * uPlot.pxRatio * text;
  values.forEach((v, i) => {
    if (v === null || v === undefined) return;
    const x = u.valToPos(u.data[0][i], 'x', true);
    const y = u.valToPos(v as number, 'y', true);
    ctx.beginPath();
    ctx.moveTo(x - half, y);
    ctx.lineTo(x + half, y);
    ctx.stroke();
  });
  ctx.restore();
}

/** The canvas's size and how large its text is (1: the page's 12 px labels). */
interface ChartSize {
  width: number;
  height: number;
  text: number;
}

function options(data: CellChartData, { width, height, text }: ChartSize): uPlot.Options {
  const font = `${Math.round(12 * text)}px system-ui, sans-serif`;
  const bars = (align: -1 | 1) => uPlot.paths.bars!({ size: [0.4, 48 * text], align });
  return {
    width,
    height,
    legend: { show: false },
    cursor: { show: false },
    padding: [8 * text, 8 * text, 0, 0],
    scales: { x: { time: false, range: [-0.6, Math.max(0.6, data.labels.length - 0.4)] }, y: { range: [0, 100] } },
    axes: [
      {
        font,
        size: 40 * text,
        gap: 4 * text,
        ticks: { size: 4 * text },
        grid: { show: false },
        // One tick per cell; a stuck cell's number has ⚠ under it.
        splits: () => data.labels.map((_, i) => i),
        values: (_u, splits) => splits.map((s) => (data.stuck[s] ? `${data.labels[s]}\n⚠` : (data.labels[s] ?? ''))),
      },
      {
        font,
        size: 44 * text,
        gap: 4 * text,
        ticks: { size: 4 * text },
        splits: () => [0, 25, 50, 75, 100],
        grid: { stroke: '#d9dde3', width: text },
        values: (_u, splits) => splits.map((s) => `${s}%`),
      },
    ],
    series: [
      {},
      { fill: RAN, stroke: RAN, width: 0, paths: bars(-1), points: { show: false } },
      { fill: SUCCEEDED, stroke: SUCCEEDED, width: 0, paths: bars(1), points: { show: false } },
      ...(data.previous ? [{ stroke: '#000', paths: () => null, points: { show: false } }] : []),
    ],
    hooks: data.previous ? { draw: [(u: uPlot) => dashes(u, 3, text)] } : {},
  };
}

/**
 * The box's width and font size, followed (ResizeObserver): the chart fills the report's column and
 * its text follows the report's (larger in projector mode).
 */
function useBox(box: { current: HTMLDivElement | null }): { width: number; font: number } | null {
  const [size, setSize] = useState<{ width: number; font: number } | null>(null);
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => {
      const width = Math.round(el.clientWidth);
      const font = parseFloat(getComputedStyle(el).fontSize) || 14;
      setSize((old) => (old && old.width === width && old.font === font ? old : { width, font }));
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return size;
}

export function CellChart({ data, names }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const printing = usePrinting();
  const shown = useBox(box);
  // A layout effect: when `beforeprint` says the page is being printed, the chart is redrawn before
  // the browser lays the page out for paper (an ordinary effect would run after). On paper: the
  // column's width at twice the resolution; on screen: the column's width, text as the report's.
  useLayoutEffect(() => {
    if (!box.current || (!printing && !shown)) return;
    const text = printing ? 2 : Math.max(1, shown!.font / 14);
    const size = printing ? { width: PRINT_WIDTH * 2, height: 400, text } : { width: Math.max(320, shown!.width), height: Math.round(200 * text), text };
    const series: uPlot.AlignedData = [data.labels.map((_, i) => i), data.ran, data.succeeded, ...(data.previous ? [data.previous] : [])];
    const plot = new uPlot(options(data, size), series, box.current);
    return () => plot.destroy();
  }, [data, printing, shown]);
  const description = data.labels.map((label, i) => `${label}: ${names.ran} ${data.ran[i]}%, ${names.succeeded} ${data.succeeded[i]}%${data.previous?.[i] != null ? `, ${names.previous} ${data.previous[i]}%` : ''}`).join('; ');
  return (
    <figure class="report-chart">
      <div class={printing ? 'chart-box printing' : 'chart-box'} ref={box} role="img" aria-label={description} />
      <figcaption class="chart-legend">
        <span><i class="key key-ran" aria-hidden="true" /> {names.ran}</span>
        <span><i class="key key-succeeded" aria-hidden="true" /> {names.succeeded}</span>
        {data.previous && <span><i class="key key-previous" aria-hidden="true" /> {names.previous}</span>}
        {data.stuck.some(Boolean) && <span>⚠ = {names.stuck}</span>}
      </figcaption>
    </figure>
  );
}
