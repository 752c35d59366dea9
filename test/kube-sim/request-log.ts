/**
 * Every request the simulator served, with the RBAC verb and resource it needed. `rbacRules()` turns
 * the log into the least-privilege PolicyRules a Role needs to let the same client do the same work.
 */
import type { Verb } from './router.ts';

export interface RequestLogEntry {
  /** Milliseconds since the epoch when the request arrived. */
  time: number;
  method: string;
  path: string;
  query: Record<string, string>;
  contentType?: string;
  /** `fieldManager` query parameter, if any. */
  fieldManager?: string;
  /** Effective field manager of a write: `fieldManager`, else the User-Agent product name. */
  manager?: string;
  userAgent?: string;
  /** RBAC verb; undefined for non-resource URLs (discovery, /version). */
  verb?: Verb;
  apiGroup?: string;
  /** Plural resource name, e.g. `pods`; undefined for non-resource URLs. */
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** HTTP status sent (for watches: the status the stream opened with). */
  code: number;
}

export interface PolicyRule {
  apiGroups: string[];
  /** `pods`, or `pods/status` for a subresource. */
  resources: string[];
  verbs: string[];
}

const VERB_ORDER = [
  'get',
  'list',
  'watch',
  'create',
  'update',
  'patch',
  'delete',
  'deletecollection',
];

export class RequestLog {
  readonly entries: RequestLogEntry[] = [];

  record(entry: RequestLogEntry): void {
    this.entries.push(entry);
  }

  clear(): void {
    this.entries.length = 0;
  }

  filter(
    match: Partial<
      Pick<
        RequestLogEntry,
        'verb' | 'resource' | 'namespace' | 'name' | 'method' | 'code' | 'fieldManager'
      >
    >,
  ): RequestLogEntry[] {
    return this.entries.filter((e) =>
      Object.entries(match).every(([k, v]) => e[k as keyof RequestLogEntry] === v),
    );
  }

  /**
   * One rule per (apiGroup, resource) with the verbs used, sorted. Only successful or
   * resource-semantics responses count (2xx, 404, 409, 410, 422): a 403/5xx proves nothing about need.
   */
  rbacRules(): PolicyRule[] {
    const byResource = new Map<string, { group: string; resource: string; verbs: Set<string> }>();
    for (const e of this.entries) {
      if (!e.verb || e.resource === undefined) continue;
      if (!(e.code < 300 || [404, 409, 410, 422].includes(e.code))) continue;
      const resource = e.subresource ? `${e.resource}/${e.subresource}` : e.resource;
      const key = `${e.apiGroup ?? ''}|${resource}`;
      const slot = byResource.get(key) ?? {
        group: e.apiGroup ?? '',
        resource,
        verbs: new Set<string>(),
      };
      slot.verbs.add(e.verb);
      // A PATCH that creates (server-side apply, 201) is authorised as `create` as well as `patch`
      // (kube-apiserver's patch handler checks both): found by the real-apiserver contract tier.
      if (e.verb === 'patch' && e.code === 201) slot.verbs.add('create');
      byResource.set(key, slot);
    }
    return [...byResource.values()]
      .sort((a, b) => `${a.group}|${a.resource}`.localeCompare(`${b.group}|${b.resource}`))
      .map((s) => ({
        apiGroups: [s.group],
        resources: [s.resource],
        verbs: VERB_ORDER.filter((v) => s.verbs.has(v)),
      }));
  }
}
