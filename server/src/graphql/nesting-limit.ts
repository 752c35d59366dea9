import { createGraphQLError, type Plugin } from 'graphql-yoga';

/**
 * Deepest nesting of `{`, `[` and `(` in a GraphQL document, outside strings and comments; stops
 * counting once past `stopAbove`. Linear, and without recursion, so it is safe on any input.
 */
export function nestingDepth(source: string, stopAbove = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '#') {
      const eol = source.indexOf('\n', i);
      i = eol === -1 ? source.length : eol;
    } else if (c === '"') {
      i = source.startsWith('"""', i) ? blockStringEnd(source, i + 3) : stringEnd(source, i + 1);
    } else if (c === '{' || c === '[' || c === '(') {
      depth++;
      if (depth > max) max = depth;
      if (max > stopAbove) return max;
    } else if (c === '}' || c === ']' || c === ')') {
      depth = Math.max(0, depth - 1);
    }
  }
  return max;
}

function stringEnd(source: string, from: number): number {
  for (let i = from; i < source.length; i++) {
    if (source[i] === '\\') i++;
    else if (source[i] === '"' || source[i] === '\n') return i;
  }
  return source.length;
}

function blockStringEnd(source: string, from: number): number {
  for (let i = from; i < source.length; i++) {
    if (source.startsWith('\\"""', i)) i += 3;
    else if (source.startsWith('"""', i)) return i + 2;
  }
  return source.length;
}

/**
 * Refuses documents nested deeper than `max` before they reach graphql-js's recursive-descent
 * parser: a few thousand `[` in an argument overflow its stack (a RangeError, answered as an
 * unexpected INTERNAL error, and over graphql-ws the end of the socket) before the token limit
 * stops it. Selection depth has its own, lower limit after parsing (graphql-armor `maxDepth`).
 */
export function useNestingLimit(max: number): Plugin {
  return {
    onParse({ params }) {
      const source = typeof params.source === 'string' ? params.source : params.source.body;
      if (nestingDepth(source, max) > max)
        throw createGraphQLError(`Syntax Error: Nesting limit of ${max} exceeded.`, {
          extensions: { code: 'QUERY_LIMIT' },
        });
    },
  };
}
