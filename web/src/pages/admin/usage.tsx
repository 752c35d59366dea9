import { useMemo, useState } from 'react';
import { useQuery } from 'urql';
import { BarChart } from '../../components/bar-chart.tsx';
import { Select } from '../../components/field.tsx';
import { Alert, Card, Empty, Loading, PageTitle } from '../../components/ui.tsx';
import type { UsageLineViewFragment } from '../../gql/graphql.ts';
import { graphql } from '../../gql/index.ts';
import { asError, describeCombined, describeTyped } from '../../lib/errors.ts';
import { formatDay, formatTokens, formatUsd, lastDays } from '../../lib/format-usage.ts';

graphql(`
  fragment UsageLineView on UsageLine { day model username userId totalTokens costUsd requests }
`);

const ReportDoc = graphql(`
  query UsageReport($from: DateTime!, $to: DateTime!) {
    byUser: usageReport(from: $from, to: $to, groupBy: [USER]) {
      ... on QueryUsageReportSuccess { data { ...UsageLineView } }
      ... on Error { code message }
    }
    byModel: usageReport(from: $from, to: $to, groupBy: [MODEL]) {
      ... on QueryUsageReportSuccess { data { ...UsageLineView } }
      ... on Error { code message }
    }
    byDay: usageReport(from: $from, to: $to, groupBy: [DAY]) {
      ... on QueryUsageReportSuccess { data { ...UsageLineView } }
      ... on Error { code message }
    }
  }
`);

const RANGES = [
  ['7', 'Last 7 days'],
  ['30', 'Last 30 days'],
  ['90', 'Last 90 days'],
] as const;
type Line = UsageLineViewFragment;

export function AdminUsage() {
  const [days, setDays] = useState('30');
  const variables = useMemo(() => {
    const to = new Date(Date.now() + 86_400_000);
    to.setUTCHours(0, 0, 0, 0);
    return {
      from: new Date(to.getTime() - Number(days) * 86_400_000).toISOString(),
      to: to.toISOString(),
    };
  }, [days]);
  const [{ data, error, fetching }] = useQuery({ query: ReportDoc, variables });
  const lines = (v: { __typename?: string; data?: Line[] } | undefined) =>
    v?.__typename === 'QueryUsageReportSuccess' ? (v.data ?? []) : [];
  const failure = asError(data?.byUser) ?? asError(data?.byModel) ?? asError(data?.byDay);
  const byUser = [...lines(data?.byUser)].sort((a, b) => b.totalTokens - a.totalTokens);
  const byModel = [...lines(data?.byModel)].sort((a, b) => b.totalTokens - a.totalTokens);
  const perDay = new Map(lines(data?.byDay).map((l) => [l.day ?? '', l.totalTokens]));
  const total = byUser.reduce(
    (t, l) => ({
      tokens: t.tokens + l.totalTokens,
      cost: t.cost + l.costUsd,
      requests: t.requests + l.requests,
    }),
    { tokens: 0, cost: 0, requests: 0 },
  );

  return (
    <>
      <PageTitle lead="Model tokens and cost across everyone, from the usage ledger.">
        Usage
      </PageTitle>
      <div className="filters">
        <Select
          label="Period"
          options={RANGES}
          value={days}
          onChange={(e) => setDays(e.target.value)}
        />
      </div>
      {fetching && !data && <Loading />}
      <Alert>{describeCombined(error) ?? (failure && describeTyped(failure))}</Alert>
      {data && !failure && (
        <>
          <ul className="stats" aria-label="Totals">
            <li className="stat">
              <div className="stat-box">
                <span className="stat-value">{formatTokens(total.tokens)}</span>
                <span className="stat-label">Tokens</span>
              </div>
            </li>
            <li className="stat">
              <div className="stat-box">
                <span className="stat-value">{formatUsd(total.cost)}</span>
                <span className="stat-label">Cost</span>
              </div>
            </li>
            <li className="stat">
              <div className="stat-box">
                <span className="stat-value">{total.requests}</span>
                <span className="stat-label">Requests</span>
              </div>
            </li>
          </ul>
          <Card title="By day">
            {perDay.size === 0 ? (
              <Empty>No model calls in this period.</Empty>
            ) : (
              <BarChart
                title="Total tokens per day (UTC)"
                bars={lastDays(Number(days)).map((d) => ({
                  label: formatDay(d),
                  value: perDay.get(d) ?? 0,
                }))}
                format={formatTokens}
              />
            )}
          </Card>
          <UsageTable
            title="By user"
            what="User"
            lines={byUser}
            label={(l) => l.username ?? 'deleted user'}
          />
          <UsageTable
            title="By model"
            what="Model"
            lines={byModel}
            label={(l) => l.model ?? 'unknown'}
          />
        </>
      )}
    </>
  );
}

function UsageTable({
  title,
  what,
  lines,
  label,
}: {
  title: string;
  /** The column header and phone label for the grouping (User, Model). */
  what: string;
  lines: Line[];
  label(l: Line): string;
}) {
  return (
    <Card title={title}>
      {lines.length === 0 ? (
        <Empty>Nothing in this period.</Empty>
      ) : (
        <>
          <BarChart
            title={`${title}: tokens (top 10)`}
            bars={lines.slice(0, 10).map((l) => ({ label: label(l), value: l.totalTokens }))}
            format={formatTokens}
          />
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{what}</th>
                <th scope="col">Tokens</th>
                <th scope="col">Cost</th>
                <th scope="col">Requests</th>
              </tr>
            </thead>
            <tbody>
              {lines.map((l) => (
                <tr key={label(l)}>
                  <td data-label={what}>{label(l)}</td>
                  <td data-label="Tokens">{formatTokens(l.totalTokens)}</td>
                  <td data-label="Cost">{formatUsd(l.costUsd)}</td>
                  <td data-label="Requests">{l.requests}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Card>
  );
}
