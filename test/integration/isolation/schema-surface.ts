import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  buildSchema,
  type DocumentNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  getNamedType,
  isAbstractType,
  isLeafType,
  isNonNullType,
  isObjectType,
  parse,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from 'graphql';

const ROOT_DIR = fileURLToPath(new URL('../../../', import.meta.url));
const PRINT = `
import { printSchema } from 'graphql';
import { schema } from './server/src/graphql/schema.ts';
process.stdout.write(printSchema(schema));
`;

/**
 * The server's executable schema, as it is now (not the committed SDL, which may lag behind). It is
 * printed in a child process and rebuilt here: in-process, the server's `graphql` and vitest's would
 * be two module instances that refuse to mix (as in test/generated-drift.test.ts).
 */
export function serverSchema(): GraphQLSchema {
  const sdl = execFileSync(process.execPath, ['--input-type=module', '-e', PRINT], {
    cwd: ROOT_DIR,
    encoding: 'utf8',
  });
  return buildSchema(sdl);
}

export type RootType = 'Query' | 'Mutation' | 'Subscription';
/** Nesting of generated selections: deep enough to reach every field from some row. */
const DEFAULT_DEPTH = 5;
/** A schema coordinate, `Type.field`. */
export type Coordinate = `${string}.${string}`;

const ROOTS: RootType[] = ['Query', 'Mutation', 'Subscription'];

/** Every operation the API offers: `Query.x`, `Mutation.y`, `Subscription.z`. */
export function rootCoordinates(schema: GraphQLSchema): Coordinate[] {
  return ROOTS.flatMap((root) => {
    const type = schema.getType(root);
    return isObjectType(type)
      ? Object.keys(type.getFields()).map((f) => `${root}.${f}` as Coordinate)
      : [];
  });
}

/** Every field of every non-root object type: what some row's document must select. */
export function objectFieldCoordinates(schema: GraphQLSchema): Coordinate[] {
  const out: Coordinate[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__') || ROOTS.includes(type.name as RootType))
      continue;
    for (const f of Object.keys(type.getFields())) out.push(`${type.name}.${f}`);
  }
  return out.sort();
}

/** The `Type.field` pairs a document selects (through fragments and inline fragments). */
export function selectedCoordinates(schema: GraphQLSchema, doc: DocumentNode): Set<Coordinate> {
  const seen = new Set<Coordinate>();
  const info = new TypeInfo(schema);
  visit(
    doc,
    visitWithTypeInfo(info, {
      Field() {
        const parent = info.getParentType();
        const field = info.getFieldDef();
        if (parent && field) seen.add(`${parent.name}.${field.name}`);
      },
    }),
  );
  return seen;
}

/**
 * The selection of every field reachable from `type`: leaves as they are, composite fields expanded
 * unless their type is already on the path (cycles end there) or `maxDepth` is reached (the cost
 * limit grows with depth), abstract types through one inline fragment per possible type. Fields
 * with required arguments are skipped (a row selects them itself). So each generated operation asks
 * for everything the API could tell this caller.
 */
export function selectAll(
  schema: GraphQLSchema,
  type: GraphQLNamedType,
  maxDepth: number,
  path: readonly string[] = [],
  aliased: ReadonlySet<string> = new Set(),
): string {
  if (isLeafType(type)) return '';
  const onPath = [...path, type.name];
  if (isAbstractType(type)) {
    const members = schema.getPossibleTypes(type);
    const clash = clashingFields(members);
    const parts = members.map(
      (t) => `... on ${t.name} { ${selectAll(schema, t, maxDepth, onPath, clash)} }`,
    );
    return `__typename ${parts.join(' ')}`;
  }
  if (!isObjectType(type)) return '';
  const fields = Object.values(type.getFields()) as GraphQLField<unknown, unknown>[];
  const parts: string[] = ['__typename'];
  for (const field of fields) {
    if (field.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined)) continue;
    const named = getNamedType(field.type);
    const key = aliased.has(field.name) ? `${type.name}_${field.name}: ${field.name}` : field.name;
    if (isLeafType(named)) parts.push(key);
    else if (!onPath.includes(named.name) && onPath.length < maxDepth)
      parts.push(`${key} { ${selectAll(schema, named, maxDepth, onPath)} }`);
  }
  return parts.join(' ');
}

/**
 * Field names that two members of a union would answer differently (other types, or objects whose
 * selections may differ): they get an alias per member, or validation refuses the document.
 */
function clashingFields(members: readonly GraphQLObjectType[]): Set<string> {
  const seen = new Map<string, string>();
  const clash = new Set<string>();
  for (const m of members)
    for (const f of Object.values(m.getFields())) {
      const typeName = String(f.type);
      const before = seen.get(f.name);
      if (before !== undefined && (before !== typeName || !isLeafType(getNamedType(f.type))))
        clash.add(f.name);
      seen.set(f.name, typeName);
    }
  return clash;
}

/**
 * One operation for a root field: `<op> <varDefs> { field<args> { …everything… } }`. `args` and
 * `varDefs` come from the row (e.g. `(id: $id)` and `($id: ID!)`).
 */
export function operationFor(
  schema: GraphQLSchema,
  coordinate: Coordinate,
  args = '',
  varDefs = '',
  maxDepth = DEFAULT_DEPTH,
): { text: string; doc: DocumentNode } {
  const [root, name] = coordinate.split('.') as [RootType, string];
  const rootType = schema.getType(root);
  if (!isObjectType(rootType)) throw new Error(`no ${root} type`);
  const field = rootType.getFields()[name];
  if (!field) throw new Error(`no field ${coordinate}`);
  const named = getNamedType(field.type);
  const selection = isLeafType(named) ? '' : `{ ${selectAll(schema, named, maxDepth)} }`;
  const op = root === 'Query' ? 'query' : root === 'Mutation' ? 'mutation' : 'subscription';
  const text = `${op} Matrix${varDefs} { ${name}${args} ${selection} }`;
  return { text, doc: parse(text) };
}
