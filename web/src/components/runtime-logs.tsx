import { useCallback, useEffect, useRef, useState } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../gql/index.ts';
import { useOnReconnect } from '../lib/api-provider.tsx';
import { asError, describeCombined, describeTyped } from '../lib/errors.ts';
import { useLiveSubscription } from '../lib/use-live.ts';
import { Alert } from './ui.tsx';

const LogsDoc = graphql(`
  query RuntimeLogs($runtimeId: ID!, $tail: Int) {
    runtimeLogs(runtimeId: $runtimeId, tail: $tail) {
      ... on RuntimeLogLines { lines }
      ... on Error { code message }
    }
  }
`);

const LogLinesDoc = graphql(`
  subscription RuntimeLogLines($runtimeId: ID!) {
    runtimeLogLines(runtimeId: $runtimeId) {
      ... on RuntimeLogLines { lines }
      ... on Error { code message }
    }
  }
`);

const KEEP = 500;

/**
 * The runtime's console log: the last lines, then new ones live. Only while open — a closed
 * <details> costs no query and no subscription.
 */
export function RuntimeLogs({
  runtimeId,
  open: initiallyOpen = false,
}: {
  runtimeId: string;
  open?: boolean;
}) {
  const [open, setOpen] = useState(initiallyOpen);
  return (
    <details
      className="card logs"
      open={initiallyOpen}
      onToggle={(e) => setOpen(e.currentTarget.open)}
    >
      <summary>
        <h2>Console log</h2>
      </summary>
      {open && <LogTail runtimeId={runtimeId} />}
    </details>
  );
}

function LogTail({ runtimeId }: { runtimeId: string }) {
  const [{ data, error }, refetch] = useQuery({
    query: LogsDoc,
    variables: { runtimeId, tail: 200 },
    requestPolicy: 'network-only',
  });
  const [live, setLive] = useState<string[]>([]);
  const [refusal, setRefusal] = useState<string | null>(null);
  const pre = useRef<HTMLPreElement>(null);
  // Lines written while disconnected are not replayed by the stream: read the tail again instead.
  useOnReconnect(
    useCallback(() => {
      setLive([]);
      refetch({ requestPolicy: 'network-only' });
    }, [refetch]),
  );
  const sub = useLiveSubscription(
    LogLinesDoc,
    { runtimeId },
    {
      onData: (d) => {
        const item = d.runtimeLogLines;
        if (item.__typename !== 'RuntimeLogLines') {
          const typed = asError(item);
          return setRefusal(typed ? describeTyped(typed) : 'Live log lines were refused.');
        }
        setLive((l) => [...l, ...item.lines].slice(-KEEP));
      },
    },
  );
  const result = data?.runtimeLogs;
  const failure = asError(result);
  const lines = [...(result?.__typename === 'RuntimeLogLines' ? result.lines : []), ...live].slice(
    -KEEP,
  );
  // biome-ignore lint/correctness/useExhaustiveDependencies: follows the tail whenever lines arrive
  useEffect(() => {
    const el = pre.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [lines.length]);
  return (
    <>
      <Alert kind={failure?.code === 'NOT_AVAILABLE' ? 'info' : 'error'}>
        {describeCombined(error) ?? (failure && describeTyped(failure)) ?? refusal ?? sub.error}
      </Alert>
      {result?.__typename === 'RuntimeLogLines' && (
        <section aria-label="Console log lines">
          {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable box must be reachable by keyboard to scroll it (WCAG 2.1.1) */}
          <pre ref={pre} className="log" tabIndex={0}>
            {lines.length ? lines.join('\n') : 'No output yet.'}
          </pre>
        </section>
      )}
    </>
  );
}
