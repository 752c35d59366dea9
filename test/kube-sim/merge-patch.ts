/** RFC 7386 JSON merge patch and RFC 6902 JSON patch. Pure; errors are plain `Error`s (→ 400/422). */
import { clone, isPlainObject } from './types.ts';

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return clone(patch);
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

export interface JsonPatchOp {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: unknown;
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`invalid JSON pointer: ${pointer}`);
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

type Container = Record<string, unknown> | unknown[];

function parentOf(doc: unknown, tokens: string[]): [Container, string] {
  let cur: unknown = doc;
  for (const t of tokens.slice(0, -1)) {
    cur = Array.isArray(cur) ? cur[Number(t)] : isPlainObject(cur) ? cur[t] : undefined;
    if (cur === undefined) throw new Error(`doc is missing path: "/${tokens.join('/')}"`);
  }
  if (!Array.isArray(cur) && !isPlainObject(cur))
    throw new Error(`doc is missing path: "/${tokens.join('/')}"`);
  return [cur, tokens[tokens.length - 1] as string];
}

function getAt(doc: unknown, tokens: string[]): unknown {
  if (tokens.length === 0) return doc;
  const [parent, key] = parentOf(doc, tokens);
  const value = Array.isArray(parent) ? parent[Number(key)] : parent[key];
  if (value === undefined) throw new Error(`doc is missing key: /${tokens.join('/')}`);
  return value;
}

function remove(doc: unknown, tokens: string[]): unknown {
  const [parent, key] = parentOf(doc, tokens);
  const value = getAt(doc, tokens);
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else delete parent[key];
  return value;
}

function add(doc: unknown, tokens: string[], value: unknown, replace: boolean): unknown {
  if (tokens.length === 0) return value;
  const [parent, key] = parentOf(doc, tokens);
  if (Array.isArray(parent)) {
    const index = key === '-' ? parent.length : Number(key);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) {
      throw new Error(`add operation does not apply: index out of range: ${key}`);
    }
    if (replace) parent[index] = value;
    else parent.splice(index, 0, value);
  } else {
    if (replace && !Object.hasOwn(parent, key))
      throw new Error(`replace operation does not apply: doc is missing key: /${tokens.join('/')}`);
    parent[key] = value;
  }
  return doc;
}

export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new Error('json patch must be an array of operations');
  let doc = clone(target);
  for (const raw of ops as JsonPatchOp[]) {
    const tokens = parsePointer(raw.path);
    switch (raw.op) {
      case 'add':
        doc = add(doc, tokens, clone(raw.value), false);
        break;
      case 'replace':
        getAt(doc, tokens);
        doc = add(doc, tokens, clone(raw.value), true);
        break;
      case 'remove':
        remove(doc, tokens);
        break;
      case 'move':
        doc = add(doc, tokens, remove(doc, parsePointer(raw.from ?? '')), false);
        break;
      case 'copy':
        doc = add(doc, tokens, clone(getAt(doc, parsePointer(raw.from ?? ''))), false);
        break;
      case 'test':
        if (JSON.stringify(getAt(doc, tokens)) !== JSON.stringify(raw.value)) {
          throw new Error(`testing value /${tokens.join('/')} failed`);
        }
        break;
      default:
        throw new Error(`Unexpected kind: ${String((raw as { op: unknown }).op)}`);
    }
  }
  return doc;
}
