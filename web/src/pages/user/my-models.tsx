import { useQuery } from 'urql';
import { Alert, Badge, Card, Empty, Loading, PageTitle } from '../../components/ui.tsx';
import { graphql } from '../../gql/index.ts';
import { asError, describeCombined, describeTyped } from '../../lib/errors.ts';
import { formatTokens } from '../../lib/format-usage.ts';

const MyModelsDoc = graphql(`
  query MyModels {
    myModels {
      ... on QueryMyModelsSuccess { data { name isDefault contextWindow maxTokens } }
      ... on Error { code message }
    }
  }
`);

export function MyModels() {
  const [{ data, error, fetching }] = useQuery({ query: MyModelsDoc });
  const result = data?.myModels;
  const failure = asError(result);
  const models = result?.__typename === 'QueryMyModelsSuccess' ? result.data : [];
  return (
    <>
      <PageTitle lead="The language models your runtime may use, granted by an administrator. Your runtime reaches them through ClawLoops with its own key.">
        My models
      </PageTitle>
      <Card>
        {fetching && !data && <Loading />}
        <Alert>{describeCombined(error) ?? (failure && describeTyped(failure))}</Alert>
        {data && !failure && models.length === 0 && (
          <Empty>No models have been granted to you yet. Ask an administrator to grant one.</Empty>
        )}
        {models.length > 0 && (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col">Context window</th>
                <th scope="col">Max output</th>
              </tr>
            </thead>
            <tbody>
              {models.map((m) => (
                <tr key={m.name}>
                  <td data-label="Model">
                    <code>{m.name}</code> {m.isDefault && <Badge tone="good">default</Badge>}
                  </td>
                  <td data-label="Context window">
                    {m.contextWindow ? `${formatTokens(m.contextWindow)} tokens` : '—'}
                  </td>
                  <td data-label="Max output">
                    {m.maxTokens ? `${formatTokens(m.maxTokens)} tokens` : '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </>
  );
}
