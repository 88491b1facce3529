/** How many students are on each cell now, as a bar chart (uPlot). */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export function CellHistogram({ bins }: { bins: Array<{ cellId: string; cellIndex: number | null; students: number }> }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!box.current) return;
    const x = bins.map((_, i) => i);
    const labels = bins.map((b) => (b.cellIndex !== null ? String(b.cellIndex + 1) : b.cellId));
    const plot = new uPlot(
      {
        width: Math.max(280, box.current.clientWidth),
        height: 180,
        legend: { show: false },
        cursor: { show: false },
        scales: { x: { time: false, range: [-0.6, Math.max(0.6, bins.length - 0.4)] }, y: { range: [0, Math.max(1, ...bins.map((b) => b.students))] } },
        axes: [
          { values: (_u, splits) => splits.map((s) => (Number.isInteger(s) ? (labels[s] ?? '') : '')), space: 24 },
          { size: 36, values: (_u, splits) => splits.map((s) => (Number.isInteger(s) ? String(s) : '')) },
        ],
        series: [{}, { fill: '#0072B2', stroke: '#0072B2', paths: uPlot.paths.bars!({ size: [0.7, 60] }), points: { show: false } }],
      },
      [x, bins.map((b) => b.students)],
      box.current,
    );
    return () => plot.destroy();
  }, [bins]);
  return <div class="histogram" ref={box} role="img" aria-label={bins.map((b) => `${b.cellIndex !== null ? b.cellIndex + 1 : b.cellId}: ${b.students}`).join(', ')} />;
}
