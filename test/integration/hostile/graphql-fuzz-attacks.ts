import type { Prng } from './hostile-kit.ts';

/** One generated HTTP request to the GraphQL endpoint (POST JSON unless said otherwise). */
export interface FuzzRequest {
  category: string;
  method?: string;
  /** Path and query string after the endpoint, for GET. */
  search?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** Text that has broken servers: NUL, lone surrogates, bidi overrides, confusables, injections. */
export const HOSTILE_STRINGS = [
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff\ud800',
  '\u202eevil.exe',
  'аdmin',
  '../../etc/passwd',
  '%00%2e%2e%2f',
  "'; drop table users; --",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, on purpose
  '${7*7}{{7*7}}',
  '<script>alert(1)</script>',
  '\r\nSet-Cookie: x=y',
  '😀'.repeat(50),
  '\ufeff\u200b\u2028\u2029',
  'x'.repeat(10_000),
];

/** A JSON POST of `payload`. */
export const jsonRequest = (
  payload: unknown,
  category: string,
  extra: Partial<FuzzRequest> = {},
): FuzzRequest => ({ category, body: JSON.stringify(payload), ...extra });

type Operation = (wrong: number) => { query: string; variables: Record<string, unknown> };

/**
 * The classic abuse shapes, each a generator of one request: alias bombs, depth, nested literals
 * and variables, fragment cycles and explosions, directive spam, batches, huge and hostile strings,
 * raw bytes that are not UTF-8, mangled documents and odd envelopes (methods, content types, GET).
 */
export function attackShapes(r: Prng, operation: Operation): (() => FuzzRequest)[] {
  function mangled(): FuzzRequest {
    const { query, variables } = operation(0);
    const chars = [...query];
    for (let i = 0; i < 1 + r.int(4); i++) {
      const at = r.int(chars.length);
      r.pick([
        () => chars.splice(at, 1),
        () =>
          chars.splice(at, 0, r.pick(['{', '}', '(', ')', '"', '\\', '$', '@', '...', '#', ':'])),
        () => chars.splice(at),
      ])();
    }
    return jsonRequest({ query: chars.join(''), variables }, 'mangled');
  }

  const attacks: (() => FuzzRequest)[] = [
    () => {
      const n = r.pick([31, 200, 2000]);
      const q = Array.from({ length: n }, (_, i) => `a${i}: passwordPolicy { minLength }`);
      return jsonRequest({ query: `{ ${q.join(' ')} }` }, 'alias-bomb');
    },
    () => {
      const d = r.pick([13, 50, 300, 3000]);
      return jsonRequest(
        { query: `{ ${'... on Query { '.repeat(d)} __typename ${'}'.repeat(d)} }` },
        'depth',
      );
    },
    () => {
      const d = r.pick([20, 100, 1900, 5000]);
      const open = r.pick(['[', '{a:']);
      const close = open === '[' ? ']' : '}';
      const inner = r.chance(0.5) ? '1' : '';
      const q = `{ invitationPreview(token: ${open.repeat(d)}${inner}${close.repeat(d)}) { state } }`;
      return jsonRequest({ query: q }, 'nested-literal');
    },
    () => {
      const d = r.pick([100, 10_000, 50_000]);
      const nested = `${'{"a":'.repeat(d)}1${'}'.repeat(d)}`;
      const q = 'query ($t: String!) { invitationPreview(token: $t) { state } }';
      return {
        category: 'nested-variables',
        body: `{"query":${JSON.stringify(q)},"variables":{"t":${nested}}}`,
      };
    },
    () => {
      const n = r.pick([2, 5, 30]);
      const frags = Array.from({ length: n }, (_, i) =>
        i < n - 1
          ? `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} passwordPolicy { minLength } }`
          : `fragment F${i} on Query { ${r.chance(0.5) ? '...F0' : '__typename'} }`,
      );
      return jsonRequest({ query: `{ ...F0 } ${frags.join(' ')}` }, 'fragments');
    },
    () => {
      const n = r.pick([31, 100, 500]);
      const d = Array.from({ length: n }, () =>
        r.pick(['@include(if: true)', '@skip(if: false)', '@nope', '@deprecated']),
      );
      return jsonRequest({ query: `{ __typename ${d.join(' ')} }` }, 'directives');
    },
    () => {
      const op = operation(0.1);
      const n = r.pick([0, 2, 50]);
      return { category: 'batch', body: JSON.stringify(Array.from({ length: n }, () => op)) };
    },
    () => {
      const size = r.pick([100_000, 500_000, 1_100_000]);
      const q = 'query ($t: String!) { invitationPreview(token: $t) { state } }';
      return jsonRequest({ query: q, variables: { t: 'x'.repeat(size) } }, 'huge-string');
    },
    () => {
      const s = r.pick(HOSTILE_STRINGS);
      const where = r.pick(['variables', 'literal']);
      const arg = r.pick([
        'login(username: $s, password: "x") { __typename }',
        'invitationPreview(token: $s) { state }',
      ]);
      const root = arg.startsWith('login') ? 'mutation' : 'query';
      if (where === 'variables')
        return jsonRequest(
          { query: `${root} ($s: String!) { ${arg} }`, variables: { s } },
          'unicode',
        );
      return jsonRequest(
        { query: `${root} { ${arg.replace('$s', JSON.stringify(s))} }` },
        'unicode',
      );
    },
    () => {
      const raw = r.pick([
        Buffer.from([0xff, 0xfe, 0x7b, 0x7d]),
        Buffer.concat([
          Buffer.from('{"query":"{ __typename }", "x": "'),
          Buffer.from([0xc0, 0xaf, 0xed, 0xa0, 0x80]),
          Buffer.from('"}'),
        ]),
        Buffer.from('\ufeff{"query":"{ __typename }"}'),
        Buffer.from('{"query":"{ __typename \u0000 }"}'),
      ]);
      return { category: 'bytes', body: raw };
    },
    mangled,
    () =>
      r.pick<FuzzRequest>([
        { category: 'envelope', body: '' },
        { category: 'envelope', body: 'null' },
        { category: 'envelope', body: '"query"' },
        { category: 'envelope', body: '{"query": 5}' },
        { category: 'envelope', body: '{"query": "{ __typename }", "variables": "x"}' },
        { category: 'envelope', body: '{"query": "{ __typename }", "operationName": "Nope"}' },
        {
          category: 'envelope',
          body: '{"query": "query A { __typename } query B { __typename }"}',
        },
        {
          category: 'envelope',
          body: '{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "00"}}}',
        },
        { category: 'envelope', body: '{"documentId": "not-a-hash"}' },
        { category: 'envelope', body: '{"query": "{ __typename }", "extensions": [1]}' },
        {
          category: 'envelope',
          body: '{"query":"{ __typename }"}',
          headers: { 'content-type': 'text/plain' },
        },
        {
          category: 'envelope',
          body: 'query=%7B__typename%7D',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        },
        {
          category: 'envelope',
          body: '{"query":"{ __typename }"}',
          headers: { 'content-type': 'application/xml' },
        },
        {
          category: 'envelope',
          body: '--x\r\n\r\n--x--',
          headers: { 'content-type': 'multipart/form-data; boundary=x' },
        },
        { category: 'envelope', method: 'PUT', body: '{"query":"{ __typename }"}' },
        { category: 'envelope', method: 'DELETE' },
        { category: 'envelope', method: 'GET', search: '?query=mutation%20%7B%20logout%20%7D' },
        {
          category: 'envelope',
          method: 'GET',
          search: `?query=${encodeURIComponent('{ __typename }')}&variables=%7Bbad`,
        },
        { category: 'envelope', method: 'GET', search: `?query=${'%7B'.repeat(3000)}` },
      ]),
  ];

  return attacks;
}
