import { type FormEvent, useEffect, useState } from 'react';
import { useClient, useMutation, useQuery } from 'urql';
import { Field, Select } from '../../components/field.tsx';
import { Alert, Button, Card, Empty } from '../../components/ui.tsx';
import type { BudgetPeriod } from '../../gql/graphql.ts';
import { graphql } from '../../gql/index.ts';
import { asError, describeCombined, describeOutcome, describeTyped } from '../../lib/errors.ts';
import { formatTokens, formatUsd } from '../../lib/format-usage.ts';
import { findUserId, useUserId } from '../../lib/use-user-id.ts';

const BudgetsDoc = graphql(`
  query ModelBudgets {
    modelBudgets {
      ... on QueryModelBudgetsSuccess {
        data { id period tokenLimit costLimitUsd requestsPerMinute user { id username } }
      }
      ... on Error { code message }
    }
  }
`);

const SetBudgetDoc = graphql(`
  mutation SetModelBudget($input: SetModelBudgetInput!) {
    setModelBudget(input: $input) {
      ... on ModelBudget { id }
      ... on Error { code message }
    }
  }
`);

const PER = { DAY: 'daily', WEEK: 'weekly', MONTH: 'monthly' } as const;

const PERIODS = [
  ['DAY', 'Per day'],
  ['WEEK', 'Per week'],
  ['MONTH', 'Per month'],
] as const;

/** Budgets: the default (everyone without their own) is editable here; per-user ones are listed. */
export function BudgetsCard() {
  const [{ data, error }, refetch] = useQuery({ query: BudgetsDoc });
  const [state, setBudget] = useMutation(SetBudgetDoc);
  const [form, setForm] = useState({ period: 'MONTH', tokens: '', cost: '' });
  const client = useClient();
  const [forUser, setForUser] = useState('');
  const user = useUserId(forUser);
  const [message, setMessage] = useState<{ kind: 'error' | 'success'; text: string } | null>(null);
  const result = data?.modelBudgets;
  const failure = asError(result);
  const budgets = result?.__typename === 'QueryModelBudgetsSuccess' ? result.data : [];
  const typedUser = forUser.trim().toLowerCase();
  const current = budgets.find((b) =>
    typedUser ? b.user?.username.toLowerCase() === typedUser : !b.user,
  );
  const loaded = current
    ? `${current.period} ${current.tokenLimit ?? ''} ${current.costLimitUsd ?? ''}`
    : 'MONTH  ';
  // The form shows the budget in force for whoever is chosen (the default when nobody is), so
  // saving never silently changes a period or limit that was not on screen.
  useEffect(() => {
    const [period = 'MONTH', tokens = '', cost = ''] = loaded.split(' ');
    setForm({ period, tokens, cost });
  }, [loaded]);
  const num = (v: string) => (v.trim() === '' ? null : Number(v));

  const who = forUser.trim();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    // Looked up now: the as-you-type lookup may not have finished.
    const userId = who ? await findUserId(client, who) : null;
    if (who && !userId)
      return setMessage({ kind: 'error', text: `There is no user called “${who}”.` });
    const res = await setBudget({
      input: {
        period: form.period as BudgetPeriod,
        tokenLimit: num(form.tokens),
        costLimitUsd: num(form.cost),
        user: userId,
      },
    });
    const problem = describeOutcome(res.data?.setModelBudget, res.error);
    const saved = who ? `Budget for ${who} saved.` : 'Default budget saved.';
    setMessage(problem ? { kind: 'error', text: problem } : { kind: 'success', text: saved });
    refetch({ requestPolicy: 'network-only' });
  };

  return (
    <Card title="Budgets">
      <Alert>{describeCombined(error) ?? (failure && describeTyped(failure))}</Alert>
      {data && budgets.length === 0 && <Empty>No budgets: model usage is unlimited.</Empty>}
      {budgets.length > 0 && (
        <ul className="plain-list">
          {budgets.map((b) => (
            <li key={b.id}>
              <strong>{b.user ? b.user.username : 'Default'}</strong>: {PER[b.period]} —{' '}
              {b.tokenLimit != null ? `${formatTokens(b.tokenLimit)} tokens` : 'no token limit'}
              {b.costLimitUsd != null && `, ${formatUsd(b.costLimitUsd)}`}
              {b.requestsPerMinute != null && `, ${b.requestsPerMinute} requests/min`}
            </li>
          ))}
        </ul>
      )}
      <form className="form form-inline" onSubmit={submit} noValidate>
        <Field
          label="For user"
          placeholder="Everyone (default)"
          hint="Leave empty to set the default budget."
          autoCapitalize="none"
          value={forUser}
          onChange={(e) => setForUser(e.target.value)}
          error={user.unknown ? 'No user has this username.' : null}
        />
        <Select
          label="Period"
          options={PERIODS}
          value={form.period}
          onChange={(e) => setForm({ ...form, period: e.target.value })}
        />
        <Field
          label="Token limit"
          type="number"
          min="0"
          placeholder="unlimited"
          value={form.tokens}
          onChange={(e) => setForm({ ...form, tokens: e.target.value })}
        />
        <Field
          label="Cost limit (USD)"
          type="number"
          min="0"
          step="0.01"
          placeholder="unlimited"
          value={form.cost}
          onChange={(e) => setForm({ ...form, cost: e.target.value })}
        />
        {message && <Alert kind={message.kind}>{message.text}</Alert>}
        <Button type="submit" busy={state.fetching}>
          {who ? `Save budget for ${who}` : 'Save default budget'}
        </Button>
      </form>
    </Card>
  );
}
