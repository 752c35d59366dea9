/**
 * Label and field selectors with the grammar of k8s.io/apimachinery `labels.Parse` and
 * `fields.ParseSelector`. Pure; errors are plain `Error`s the caller maps to 400 BadRequest.
 */
export type LabelOp = '=' | '!=' | 'in' | 'notin' | 'exists' | '!' | '>' | '<';

export interface LabelRequirement {
  key: string;
  op: LabelOp;
  values: string[];
}

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

/** Splits on commas that are not inside `( … )`. */
function splitTopLevel(input: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of input) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim());
}

const KEY =
  /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;
const VALUE = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?)?$/;

function checkKey(key: string): string {
  if (!KEY.test(key)) throw new Error(`unable to parse requirement: invalid label key "${key}"`);
  return key;
}

function checkValue(value: string): string {
  if (!VALUE.test(value) || value.length > 63) {
    throw new Error(`unable to parse requirement: invalid label value: "${value}"`);
  }
  return value;
}

function parseRequirement(part: string): LabelRequirement {
  const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(part);
  if (set) {
    const values = (set[3] as string).split(',').map((v) => checkValue(v.trim()));
    return { key: checkKey(set[1] as string), op: set[2] as 'in' | 'notin', values };
  }
  const cmp = /^([^=!<>\s]+)\s*(==|=|!=|>|<)\s*(.*)$/.exec(part);
  if (cmp) {
    const op = cmp[2] === '==' ? '=' : (cmp[2] as LabelOp);
    const value = (cmp[3] as string).trim();
    if ((op === '>' || op === '<') && !/^-?\d+$/.test(value)) {
      throw new Error(
        `unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer`,
      );
    }
    return {
      key: checkKey(cmp[1] as string),
      op,
      values: [op === '>' || op === '<' ? value : checkValue(value)],
    };
  }
  if (part.startsWith('!')) return { key: checkKey(part.slice(1).trim()), op: '!', values: [] };
  return { key: checkKey(part), op: 'exists', values: [] };
}

export function parseLabelSelector(selector: string | undefined | null): LabelRequirement[] {
  if (!selector || selector.trim() === '') return [];
  return splitTopLevel(selector).map((part) => {
    if (part === '') throw new Error("unable to parse requirement: found '', expected: identifier");
    return parseRequirement(part);
  });
}

function matchOne(req: LabelRequirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, req.key);
  const value = labels[req.key];
  switch (req.op) {
    case '=':
      return has && value === req.values[0];
    case '!=':
      return !has || value !== req.values[0];
    case 'in':
      return has && req.values.includes(value as string);
    case 'notin':
      return !has || !req.values.includes(value as string);
    case 'exists':
      return has;
    case '!':
      return !has;
    case '>':
    case '<': {
      if (!has || !/^-?\d+$/.test(value as string)) return false;
      const n = Number(value);
      const bound = Number(req.values[0]);
      return req.op === '>' ? n > bound : n < bound;
    }
  }
}

export function matchLabels(
  reqs: LabelRequirement[],
  labels: Record<string, string> | undefined,
): boolean {
  const l = labels ?? {};
  return reqs.every((r) => matchOne(r, l));
}

export function parseFieldSelector(selector: string | undefined | null): FieldRequirement[] {
  if (!selector || selector.trim() === '') return [];
  return selector.split(',').map((part) => {
    const m = /^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/.exec(part.trim());
    if (!m) throw new Error(`invalid selector: '${selector}'; can't understand '${part}'`);
    return {
      field: m[1] as string,
      op: m[2] === '!=' ? '!=' : '=',
      value: (m[3] as string).trim(),
    };
  });
}

/** Fields each kind indexes, as the real per-kind `GetAttrs`/field label conversion functions do. */
const FIELDS: Record<string, string[]> = {
  Pod: [
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'status.phase',
    'status.podIP',
    'status.nominatedNodeName',
  ],
  Event: [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  Secret: ['type'],
  Namespace: ['status.phase'],
  Node: ['spec.unschedulable'],
};

/** Throws for fields the real server would reject with "field label not supported". */
export function checkFieldSelector(kind: string, reqs: FieldRequirement[]): void {
  const allowed = ['metadata.name', 'metadata.namespace', ...(FIELDS[kind] ?? [])];
  for (const r of reqs) {
    if (!allowed.includes(r.field)) throw new Error(`field label not supported: ${r.field}`);
  }
}

function fieldValue(obj: unknown, path: string): string {
  let cur: unknown = obj;
  for (const seg of path.split('.')) {
    if (typeof cur !== 'object' || cur === null) return '';
    cur = (cur as Record<string, unknown>)[seg];
  }
  if (path === 'source' && typeof cur === 'object' && cur !== null) {
    return String((cur as Record<string, unknown>).component ?? '');
  }
  return cur === undefined || cur === null ? '' : String(cur);
}

export function matchFields(reqs: FieldRequirement[], obj: unknown): boolean {
  return reqs.every((r) => (fieldValue(obj, r.field) === r.value) === (r.op === '='));
}
