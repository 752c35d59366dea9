import {
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isScalarType,
  isUnionType,
} from 'graphql';
import {
  attackShapes,
  type FuzzRequest,
  HOSTILE_STRINGS,
  jsonRequest as json,
} from './graphql-fuzz-attacks.ts';
import type { Prng } from './hostile-kit.ts';

export type { FuzzRequest };

/**
 * A seeded generator of GraphQL requests from a schema (built from the server's introspection):
 * valid operations with random arguments and selections, the same with wrong types, unknown names
 * and random variables, and the classic abuse shapes (depth, aliases, fragment cycles and
 * explosions, directive spam, batches, huge and hostile strings, mangled bytes, odd envelopes).
 * No library in package.json generates GraphQL documents; this stays small instead.
 */

const WORDS = ['alice', 'admin', 'x', '', 'u-bob', 'Passw0rd-1', 'null', '0', 'true', '{}'];
const INTS = [0, 1, -1, 2, 30, 720, 5000, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 53, -0, 1e308];

/** A value of the wrong kind for whatever was asked. */
function wrongValue(r: Prng): unknown {
  return r.pick<() => unknown>([
    () => r.pick(WORDS),
    () => r.pick(INTS),
    () => r.next() * 1e6,
    () => r.chance(0.5),
    () => null,
    () => [r.pick(WORDS), 1],
    () => ({ nope: 1 }),
    () => JSON.parse(`${'['.repeat(40)}${']'.repeat(40)}`),
    () => r.pick(HOSTILE_STRINGS),
  ])();
}

export function createFuzzer(schema: GraphQLSchema, r: Prng) {
  /** A v4-shaped uuid from the seeded generator (crypto.randomUUID would break replays). */
  const uuid = () => {
    const h = Array.from({ length: 32 }, () => r.int(16).toString(16)).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20)}`;
  };

  function stringFor(arg: string): string {
    if (r.chance(0.15)) return r.pick(HOSTILE_STRINGS);
    if (/id$/i.test(arg) || arg === 'route' || arg === 'user' || arg === 'actor')
      return Buffer.from(`${r.pick(['User', 'Runtime', 'ModelRoute', 'X'])}:${uuid()}`).toString(
        'base64',
      );
    return r.pick(WORDS);
  }

  /** A JS value for `type` (JSON, for variables); wrong with probability `wrong`. */
  function value(type: GraphQLInputType, name: string, wrong: number, depth = 0): unknown {
    if (r.chance(wrong)) return wrongValue(r);
    if (isNonNullType(type)) return value(type.ofType, name, wrong, depth);
    if (r.chance(0.05)) return null;
    if (isListType(type))
      return Array.from({ length: r.int(4) }, () => value(type.ofType, name, wrong, depth + 1));
    if (isEnumType(type)) return r.pick(type.getValues()).name;
    if (isInputObjectType(type)) {
      const out: Record<string, unknown> = {};
      for (const f of Object.values(type.getFields()))
        if ((isNonNullType(f.type) || r.chance(0.5)) && depth < 4)
          out[f.name] = value(f.type, f.name, wrong, depth + 1);
      return out;
    }
    switch (isScalarType(type) ? type.name : '') {
      case 'Int':
        return r.pick(INTS.filter((n) => Math.abs(n) < 2 ** 31));
      case 'Float':
        return r.pick([0, 0.5, -1, 1e9, 3.14]);
      case 'Boolean':
        return r.chance(0.5);
      case 'DateTime':
        return r.pick([new Date().toISOString(), '2020-01-01T00:00:00Z', '9999-12-31T23:59:59Z']);
      case 'JSON':
        return { a: [1, 'b', null] };
      default:
        return stringFor(name);
    }
  }

  /** `value` printed as a GraphQL literal (enum values bare, object keys unquoted). */
  function literal(v: unknown, type: GraphQLInputType | null): string {
    const named = type ? getNamedType(type) : null;
    if (v === null || v === undefined) return 'null';
    if (Array.isArray(v)) {
      const inner = type && isNonNullType(type) ? type.ofType : type;
      const of = inner && isListType(inner) ? inner.ofType : null;
      return `[${v.map((x) => literal(x, of)).join(', ')}]`;
    }
    if (typeof v === 'object') {
      const fields = named && isInputObjectType(named) ? named.getFields() : {};
      const parts = Object.entries(v).map(
        ([k, x]) => `${k}: ${literal(x, fields[k]?.type ?? null)}`,
      );
      return `{${parts.join(', ')}}`;
    }
    if (typeof v === 'string' && named && isEnumType(named) && /^[_A-Za-z]\w*$/.test(v)) return v;
    if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '0';
    return JSON.stringify(v);
  }

  interface Doc {
    vars: string[];
    variables: Record<string, unknown>;
  }

  function args(field: GraphQLField<unknown, unknown>, doc: Doc, wrong: number): string {
    const chosen = field.args.filter(
      (a: GraphQLArgument) => isNonNullType(a.type) || r.chance(0.5),
    );
    const parts = chosen.map((a) => {
      const v = value(a.type, a.name, wrong);
      if (r.chance(0.4)) {
        const name = `v${doc.vars.length}`;
        doc.vars.push(`$${name}: ${r.chance(wrong) ? 'String' : String(a.type)}`);
        doc.variables[name] = r.chance(wrong) ? wrongValue(r) : v;
        return `${a.name}: $${name}`;
      }
      return `${a.name}: ${literal(v, a.type)}`;
    });
    if (r.chance(wrong)) parts.push(`nope${r.int(9)}: ${literal(wrongValue(r), null)}`);
    return parts.length ? `(${parts.join(', ')})` : '';
  }

  function selection(type: GraphQLNamedType, depth: number, doc: Doc, wrong: number): string {
    if (isLeafType(type)) return '';
    if (isUnionType(type)) {
      const members = type.getTypes().filter(() => r.chance(0.6));
      const frags = members.map((m) => `... on ${m.name} ${selection(m, depth + 1, doc, wrong)}`);
      return `{ __typename ${frags.join(' ')} }`;
    }
    const fields = Object.values((type as GraphQLObjectType).getFields());
    const picked = fields.filter(() => r.chance(0.35)).slice(0, 5);
    if (!picked.length) picked.push(r.pick(fields));
    const parts = picked.map((f) => {
      const target = getNamedType(f.type);
      const alias = r.chance(0.1) ? `a${r.int(1000)}: ` : '';
      const dir = r.chance(0.05) ? ` @include(if: ${r.chance(0.5)})` : '';
      if (!isLeafType(target) && depth >= 5) return '__typename';
      return `${alias}${f.name}${args(f, doc, wrong)}${dir} ${selection(target, depth + 1, doc, wrong)}`;
    });
    if (r.chance(wrong)) parts.push(`nope${r.int(100)}`);
    if (isInterfaceType(type) && r.chance(0.5)) {
      const impl = schema.getPossibleTypes(type);
      if (impl.length) {
        const t = r.pick(impl);
        parts.push(`... on ${t.name} ${selection(t, depth + 1, doc, wrong)}`);
      }
    }
    return `{ __typename ${parts.join(' ')} }`;
  }

  /** A generated operation; `wrong` is the chance of each value or name being wrong. */
  function operation(
    wrong: number,
    kind = r.next() < 0.6 ? 'query' : 'mutation',
  ): { query: string; variables: Record<string, unknown> } {
    const roots = {
      query: schema.getQueryType(),
      mutation: schema.getMutationType(),
      subscription: schema.getSubscriptionType(),
    };
    const root = roots[kind as keyof typeof roots] as GraphQLObjectType;
    const doc: Doc = { vars: [], variables: {} };
    const fields = Object.values(root.getFields());
    const picked = Array.from({ length: 1 + r.int(kind === 'query' ? 3 : 1) }, () =>
      r.pick(fields),
    );
    if (kind === 'subscription') picked.length = 1;
    const body = picked
      .map(
        (f, i) =>
          `f${i}: ${f.name}${args(f, doc, wrong)} ${selection(getNamedType(f.type), 1, doc, wrong)}`,
      )
      .join(' ');
    const vars = doc.vars.length ? `(${doc.vars.join(', ')})` : '';
    return { query: `${kind} Fuzz${vars} { ${body} }`, variables: doc.variables };
  }

  /** One request: half generated operations (valid, then increasingly wrong), half attacks. */
  function next(): FuzzRequest {
    const roll = r.next();
    if (roll < 0.25) return json(operation(0), 'valid');
    if (roll < 0.5) return json(operation(r.pick([0.1, 0.3, 0.6])), 'wrong-types');
    return r.pick(attacks)();
  }
  const attacks = attackShapes(r, operation);

  return { next, operation };
}
