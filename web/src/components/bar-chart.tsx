export interface Bar {
  label: string;
  value: number;
}

interface BarChartProps {
  title: string;
  bars: Bar[];
  /** Formats values for labels and the accessible table. */
  format?(value: number): string;
  /** Draws a dashed line at this value (e.g. a budget). */
  limit?: { value: number; label: string } | null;
}

/**
 * A small horizontal bar chart in SVG. Screen readers get the same numbers as a table (the SVG is
 * decorative); no charting dependency for a handful of bars.
 */
export function BarChart({ title, bars, format = String, limit }: BarChartProps) {
  const max = Math.max(1, limit?.value ?? 0, ...bars.map((b) => b.value));
  const row = 28;
  const height = bars.length * row + 8;
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg
        viewBox={`0 0 100 ${height}`}
        preserveAspectRatio="none"
        aria-hidden="true"
        height={height}
      >
        {bars.map((b, i) => (
          <rect
            key={b.label}
            x="0"
            y={i * row + 6}
            height={row - 10}
            width={(b.value / max) * 100}
            className="chart-bar"
          />
        ))}
        {limit && (
          <line
            x1={(limit.value / max) * 100}
            x2={(limit.value / max) * 100}
            y1="0"
            y2={height}
            className="chart-limit"
          />
        )}
      </svg>
      <table className="chart-table">
        <tbody>
          {bars.map((b) => (
            <tr key={b.label}>
              <th scope="row">{b.label}</th>
              <td>{format(b.value)}</td>
            </tr>
          ))}
          {limit && (
            <tr>
              <th scope="row">{limit.label}</th>
              <td>{format(limit.value)}</td>
            </tr>
          )}
        </tbody>
      </table>
    </figure>
  );
}
