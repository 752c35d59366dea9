import { useState } from 'react';
import { useQuery } from 'urql';
import { BarChart } from '../../components/bar-chart.tsx';
import { Select } from '../../components/field.tsx';
import { Alert, Card, Empty, Loading, PageTitle } from '../../components/ui.tsx';
import { graphql } from '../../gql/index.ts';
import { asError, describeCombined, describeTyped } from '../../lib/errors.ts';
import { formatDateTime } from '../../lib/format.ts';
import { formatDay, formatTokens, formatUsd, lastDays } from '../../lib/format-usage.ts';

const MyUsageDoc = graphql(`
  query MyUsage($days: Int!) {
    myUsage(days: $days) {
      ... on QueryMyUsageSuccess {
        data {
          usedTokens usedCostUsd requests remainingTokens resetsAt windowStart
          budget { period tokenLimit costLimitUsd requestsPerMinute isDefault }
          daily { day model totalTokens costUsd requests }
        }
      }
      ... on Error { code message }
    }
  }
`);

const PERIOD_TITLES = { DAY: 'Today', WEEK: 'This week', MONTH: 'This month' } as const;

const RANGES = [
  ['14', 'Last 14 days'],
  ['30', 'Last 30 days'],
] as const;

export function MyUsage() {
  const [days, setDays] = useState('14');
  const [{ data, error, fetching }] = useQuery({
    query: MyUsageDoc,
    variables: { days: Number(days) },
  });
  const result = data?.myUsage;
  const failure = asError(result);
  const usage = result?.__typename === 'QueryMyUsageSuccess' ? result.data : null;
  const perDay = new Map<string, number>();
  for (const l of usage?.daily ?? [])
    if (l.day) perDay.set(l.day, (perDay.get(l.day) ?? 0) + l.totalTokens);
  const bars = lastDays(Number(days)).map((d) => ({
    label: formatDay(d),
    value: perDay.get(d) ?? 0,
  }));
  const budget = usage?.budget;
  const share =
    usage && budget?.tokenLimit
      ? Math.min(100, (usage.usedTokens / budget.tokenLimit) * 100)
      : null;

  return (
    <>
      <PageTitle lead="Tokens and cost of your runtime's model calls, against your budget.">
        My usage
      </PageTitle>
      {fetching && !data && <Loading />}
      <Alert>{describeCombined(error) ?? (failure && describeTyped(failure))}</Alert>
      {usage && (
        <Card title={budget ? PERIOD_TITLES[budget.period] : 'Budget'}>
          {budget ? (
            <>
              <p className="status-line">
                <strong>{formatTokens(usage.usedTokens)}</strong>
                {budget.tokenLimit
                  ? ` of ${formatTokens(budget.tokenLimit)} tokens used`
                  : ' tokens used (no token limit)'}
                {budget.costLimitUsd != null &&
                  ` · ${formatUsd(usage.usedCostUsd)} of ${formatUsd(budget.costLimitUsd)}`}
              </p>
              {share !== null && (
                <progress
                  max={100}
                  value={share}
                  className={share >= 100 ? 'is-failed' : ''}
                  aria-label={`${Math.round(share)}% of your token budget used`}
                />
              )}
              <p className="hint">
                {usage.requests} requests
                {usage.resetsAt && ` · resets ${formatDateTime(usage.resetsAt)}`}
                {budget.requestsPerMinute &&
                  ` · at most ${budget.requestsPerMinute} requests a minute`}
                {budget.isDefault && ' · the default budget'}
              </p>
            </>
          ) : (
            <p>
              No budget applies to you: usage is not limited. {formatTokens(usage.usedTokens)}{' '}
              tokens, {formatUsd(usage.usedCostUsd)} so far.
            </p>
          )}
        </Card>
      )}
      {usage && (
        <Card
          title="Tokens per day"
          actions={
            <Select
              label="Range"
              options={RANGES}
              value={days}
              onChange={(e) => setDays(e.target.value)}
            />
          }
        >
          {usage.daily.length === 0 ? (
            <Empty>No model calls in this period.</Empty>
          ) : (
            <BarChart
              title={`Total tokens per day (UTC), ${RANGES.find(([v]) => v === days)?.[1].toLowerCase()}`}
              bars={bars}
              format={formatTokens}
              limit={
                budget?.period === 'DAY' && budget.tokenLimit
                  ? { value: budget.tokenLimit, label: 'Daily limit' }
                  : null
              }
            />
          )}
        </Card>
      )}
    </>
  );
}
