/** Runs per minute over the last 30 minutes as a tiny bar chart (SVG, no text inside). */
export function Sparkline({ values }: { values: number[] }) {
  const max = Math.max(1, ...values);
  const width = 120;
  const height = 18;
  const step = width / Math.max(1, values.length);
  return (
    <svg class="spark" viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" role="img" aria-label={`${values.reduce((a, b) => a + b, 0)} runs in 30 min`}>
      {values.map((v, i) => (v > 0 ? <rect x={i * step + 0.5} y={height - (v / max) * height} width={Math.max(1, step - 1)} height={(v / max) * height} /> : null))}
      <line x1="0" y1={height - 0.5} x2={width} y2={height - 0.5} />
    </svg>
  );
}
