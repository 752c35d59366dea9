import { describe, expect, it } from 'vitest';
import { RequestLog, type RequestLogEntry } from './request-log.ts';

const entry = (over: Partial<RequestLogEntry>): RequestLogEntry => ({
  time: 0,
  method: 'PATCH',
  path: '/api/v1/namespaces/ns/configmaps/a',
  query: {},
  verb: 'patch',
  apiGroup: '',
  resource: 'configmaps',
  code: 200,
  ...over,
});

describe('RequestLog.rbacRules', () => {
  it('needs create for a server-side apply that created the object (201), as kube-apiserver checks', () => {
    const log = new RequestLog();
    log.record(entry({ code: 201 }));
    log.record(entry({ resource: 'secrets', code: 200 }));
    expect(log.rbacRules()).toEqual([
      { apiGroups: [''], resources: ['configmaps'], verbs: ['create', 'patch'] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['patch'] },
    ]);
  });
});
