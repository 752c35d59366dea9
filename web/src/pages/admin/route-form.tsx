import { type FormEvent, useState } from 'react';
import { useMutation } from 'urql';
import { Field, Select } from '../../components/field.tsx';
import { Alert, Button, Card } from '../../components/ui.tsx';
import type { UpstreamKind } from '../../gql/graphql.ts';
import { graphql } from '../../gql/index.ts';
import {
  asError,
  describeCombined,
  describeTyped,
  fieldErrors,
  type TypedError,
} from '../../lib/errors.ts';

const CreateRouteDoc = graphql(`
  mutation CreateModelRoute($input: CreateModelRouteInput!, $credential: String) {
    createModelRoute(input: $input, credential: $credential) {
      ... on ModelRoute { id name }
      ... on Error { code message }
      ... on InvalidInputError { fieldErrors { path message } }
    }
  }
`);

export const KINDS = [
  ['OPENAI_COMPATIBLE', 'OpenAI-compatible API'],
  ['LITELLM', 'LiteLLM proxy'],
  ['VLLM', 'vLLM'],
  ['OLLAMA', 'Ollama'],
] as const;

const EMPTY = {
  name: '',
  kind: 'OPENAI_COMPATIBLE',
  baseUrl: '',
  upstreamModel: '',
  credential: '',
  input: '',
  output: '',
};

export function RouteForm({ onCreated }: { onCreated(): void }) {
  const [form, setForm] = useState(EMPTY);
  const [failure, setFailure] = useState<TypedError | null>(null);
  const [message, setMessage] = useState<{ kind: 'error' | 'success'; text: string } | null>(null);
  const [state, create] = useMutation(CreateRouteDoc);
  const fields = fieldErrors(failure);
  const set = (k: keyof typeof EMPTY) => (e: { target: { value: string } }) =>
    setForm({ ...form, [k]: e.target.value });
  const price = (v: string) => (v.trim() === '' ? null : Number(v));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setFailure(null);
    setMessage(null);
    const res = await create({
      credential: form.credential || null,
      input: {
        name: form.name.trim(),
        upstreamKind: form.kind as UpstreamKind,
        baseUrl: form.baseUrl.trim(),
        upstreamModel: form.upstreamModel.trim(),
        inputPricePerMTok: price(form.input),
        outputPricePerMTok: price(form.output),
      },
    });
    const payload = res.data?.createModelRoute;
    const typed = asError(payload);
    if (typed) {
      setFailure(typed);
      return setMessage({ kind: 'error', text: describeTyped(typed) });
    }
    if (payload?.__typename !== 'ModelRoute')
      return setMessage({
        kind: 'error',
        text: describeCombined(res.error) ?? 'The route could not be created.',
      });
    setMessage({ kind: 'success', text: `Route ${payload.name} added. Grant it to users below.` });
    setForm(EMPTY);
    onCreated();
  };

  return (
    <Card title="Add a model route">
      <form className="form form-inline" onSubmit={submit} noValidate>
        <Field
          label="Public model name"
          placeholder="e.g. gpt-4o-mini"
          required
          value={form.name}
          onChange={set('name')}
          error={fields.name}
        />
        <Select label="Upstream kind" options={KINDS} value={form.kind} onChange={set('kind')} />
        <Field
          label="Base URL"
          placeholder="https://api.openai.com/v1"
          required
          value={form.baseUrl}
          onChange={set('baseUrl')}
          error={fields.baseUrl}
        />
        <Field
          label="Upstream model"
          required
          value={form.upstreamModel}
          onChange={set('upstreamModel')}
          error={fields.upstreamModel}
        />
        <Field
          label="API key (optional)"
          type="password"
          autoComplete="off"
          hint="Stored encrypted; never shown again."
          value={form.credential}
          onChange={set('credential')}
        />
        <Field
          label="Input price ($/1M)"
          hint="USD per million prompt tokens."
          type="number"
          min="0"
          step="0.01"
          value={form.input}
          onChange={set('input')}
          error={fields.inputPricePerMTok}
        />
        <Field
          label="Output price ($/1M)"
          hint="USD per million completion tokens."
          type="number"
          min="0"
          step="0.01"
          value={form.output}
          onChange={set('output')}
          error={fields.outputPricePerMTok}
        />
        {message && <Alert kind={message.kind}>{message.text}</Alert>}
        <Button
          type="submit"
          variant="primary"
          busy={state.fetching}
          disabled={!form.name || !form.baseUrl || !form.upstreamModel}
        >
          Add route
        </Button>
      </form>
    </Card>
  );
}
