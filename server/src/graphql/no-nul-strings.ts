import { createGraphQLError, type Plugin } from 'graphql-yoga';

const MESSAGE = 'Text must not contain NUL characters (U+0000).';

/** Whether a variable value (JSON) holds a NUL character in any string, key included. */
export function jsonHasNul(value: unknown): boolean {
  const stack = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (v.includes('\0')) return true;
    } else if (Array.isArray(v)) for (const x of v) stack.push(x);
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        if (k.includes('\0')) return true;
        stack.push(x);
      }
  }
  return false;
}

/** Whether a parsed document has a string literal holding a NUL (only `\u0000` can put one there). */
export function documentHasNul(document: unknown): boolean {
  const stack = [document];
  while (stack.length) {
    const node = stack.pop();
    if (Array.isArray(node)) for (const x of node) stack.push(x);
    else if (node && typeof node === 'object') {
      const n = node as { kind?: unknown; value?: unknown; loc?: unknown };
      if (n.kind === 'StringValue' && typeof n.value === 'string' && n.value.includes('\0'))
        return true;
      for (const [k, x] of Object.entries(n)) if (k !== 'loc') stack.push(x);
    }
  }
  return false;
}

/**
 * PostgreSQL text cannot hold U+0000: a NUL in any argument that reaches a query (a login name, a
 * search, an audit label) failed there as an unexpected INTERNAL error. No field has a use for it,
 * so operations carrying one are refused up front with BAD_USER_INPUT, over HTTP and WebSocket.
 */
export function useNoNulStrings(): Plugin {
  const refuse = (args: { document: unknown; variableValues?: unknown }) =>
    documentHasNul(args.document) || jsonHasNul(args.variableValues)
      ? { errors: [createGraphQLError(MESSAGE, { extensions: { code: 'BAD_USER_INPUT' } })] }
      : null;
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const result = refuse(args);
      if (result) setResultAndStopExecution(result);
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const result = refuse(args);
      if (result) setResultAndStopExecution(result);
    },
  };
}
