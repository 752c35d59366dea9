import { type DocumentNode, getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { graphqlActiveSubscriptions, graphqlDuration } from './registry.ts';

function operationType(document: DocumentNode, name?: string | null): string {
  return getOperationAST(document, name)?.operation ?? 'unknown';
}

/**
 * Times every execution by operation type and counts live subscriptions. An envelop plugin, so HTTP,
 * SSE and graphql-ws (which runs through `yoga.getEnveloped`) are all measured.
 */
export function useMetrics(): Plugin {
  return {
    onExecute({ args }) {
      const end = graphqlDuration.startTimer({
        operation_type: operationType(args.document, args.operationName),
      });
      return { onExecuteDone: () => void end() };
    },
    onSubscribe({ args }) {
      const end = graphqlDuration.startTimer({
        operation_type: operationType(args.document, args.operationName),
      });
      return {
        onSubscribeResult({ result }) {
          end();
          // A result without an iterator is an error returned before the stream started.
          if (!(Symbol.asyncIterator in result)) return;
          graphqlActiveSubscriptions.inc();
          let ended = false;
          return {
            onEnd: () => {
              if (ended) return;
              ended = true;
              graphqlActiveSubscriptions.dec();
            },
          };
        },
      };
    },
  };
}
