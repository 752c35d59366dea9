export interface Bar {
  label: string;
  value: number;
}

interface BarChartProps {
  title: string;
  bars: Bar[];
  /** Formats values for labels. */
  format?(value: number): string;
  /** Draws a dashed line at this value (e.g. a daily budget). */
  limit?: { value: number; label: string } | null;
}

/**
 * A horizontal bar chart as a table: each row is label, an SVG bar, and the value — so screen readers
 * read plain numbers and narrow screens keep every label legible. No charting dependency for this.
 */
export function BarChart({ title, bars, format = String, limit }: BarChartProps) {
  const max = Math.max(1, limit?.value ?? 0, ...bars.map((b) => b.value));
  const at = (v: number) => `${(v / max) * 100}%`;
  return (
    <figure className="chart">
      <figcaption>
        {title}
        {limit && (
          <span className="chart-legend">
            <span className="chart-legend-line" aria-hidden="true" /> {limit.label}:{' '}
            {format(limit.value)}
          </span>
        )}
      </figcaption>
      <table className="chart-table">
        <tbody>
          {bars.map((b) => (
            <tr key={b.label}>
              <th scope="row">{b.label}</th>
              <td className="chart-bar-cell" aria-hidden="true">
                <svg width="100%" height="16" role="presentation">
                  <rect
                    x="0"
                    y="2"
                    height="12"
                    rx="2"
                    width={at(b.value)}
                    className={limit && b.value > limit.value ? 'chart-bar over' : 'chart-bar'}
                  />
                  {limit && (
                    <line
                      x1={at(limit.value)}
                      x2={at(limit.value)}
                      y1="0"
                      y2="16"
                      className="chart-limit"
                    />
                  )}
                </svg>
              </td>
              <td className="chart-value">{format(b.value)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
