/**
 * Watch streams: newline-delimited JSON events over a chunked 200 response. Replays history after
 * the requested resourceVersion, answers a too-old one with an ERROR 410 event and closes (as the
 * real server does), maps selector transitions to ADDED/DELETED, sends bookmarks on request and
 * closes at `timeoutSeconds`.
 */
import type { ServerResponse } from 'node:http';
import { apiVersionOf, type ResourceType } from './resources.ts';
import {
  type FieldRequirement,
  type LabelRequirement,
  matchFields,
  matchLabels,
} from './selectors.ts';
import { expired, type Status } from './status.ts';
import type { Store, StoreEvent } from './store.ts';
import type { KubeObject } from './types.ts';

export interface WatchRequest {
  rt: ResourceType;
  namespace?: string;
  labels: LabelRequirement[];
  fields: FieldRequirement[];
  resourceVersion?: string;
  allowBookmarks: boolean;
  timeoutSeconds?: number;
}

export interface WatchSettings {
  bookmarkIntervalMs: number;
}

interface OpenWatch {
  close(): void;
  fail(status: Status): void;
}

/** Open watch streams, so tests can drop them or inject errors. */
export class WatchRegistry {
  private open = new Set<OpenWatch>();

  get size(): number {
    return this.open.size;
  }

  add(w: OpenWatch): () => void {
    this.open.add(w);
    return () => this.open.delete(w);
  }

  /** Server-side close of every open watch (the client sees a clean end of stream). */
  closeAll(): number {
    const n = this.open.size;
    for (const w of [...this.open]) w.close();
    return n;
  }

  /** Sends an ERROR event with this Status to every open watch, then closes it. */
  failAll(status: Status): number {
    const n = this.open.size;
    for (const w of [...this.open]) w.fail(status);
    return n;
  }
}

function matches(req: WatchRequest, obj: KubeObject | undefined): boolean {
  if (!obj) return false;
  if (req.rt.namespaced && req.namespace && obj.metadata.namespace !== req.namespace) return false;
  return matchLabels(req.labels, obj.metadata.labels) && matchFields(req.fields, obj);
}

/** The event a given watcher sees for a store event, honouring selector transitions. */
export function viewOf(
  req: WatchRequest,
  e: StoreEvent,
): { type: string; object: KubeObject } | undefined {
  if (e.resource !== req.rt) return undefined;
  const now = matches(req, e.object);
  if (e.type === 'ADDED') return now ? { type: 'ADDED', object: e.object } : undefined;
  if (e.type === 'DELETED')
    return matches(req, e.previous) || now ? { type: 'DELETED', object: e.object } : undefined;
  const before = matches(req, e.previous);
  if (now && before) return { type: 'MODIFIED', object: e.object };
  if (now) return { type: 'ADDED', object: e.object };
  if (before) return { type: 'DELETED', object: e.object };
  return undefined;
}

export function serveWatch(
  res: ServerResponse,
  req: WatchRequest,
  store: Store,
  registry: WatchRegistry,
  settings: WatchSettings,
): void {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  let bookmarkTimer: NodeJS.Timeout | undefined;
  let timeoutTimer: NodeJS.Timeout | undefined;
  let unsubscribe = () => {};
  let unregister = () => {};
  let ended = false;
  const write = (type: string, object: unknown) => {
    if (!ended) res.write(`${JSON.stringify({ type, object })}\n`);
  };
  const close = () => {
    if (ended) return;
    ended = true;
    unsubscribe();
    unregister();
    clearTimeout(bookmarkTimer);
    clearTimeout(timeoutTimer);
    res.end();
  };
  const fail = (status: Status) => {
    write('ERROR', status);
    close();
  };
  res.on('close', close);

  const rv = req.resourceVersion ?? '';
  if (rv === '' || rv === '0') {
    for (const obj of store.list(req.rt, req.namespace)) if (matches(req, obj)) write('ADDED', obj);
  } else {
    const since = store.eventsSince(Number(rv));
    if (since === 'expired') {
      fail(expired('The resourceVersion for the provided watch is too old.').status);
      return;
    }
    for (const e of since) {
      const view = viewOf(req, e);
      if (view) write(view.type, view.object);
    }
  }
  unsubscribe = store.subscribe((e) => {
    const view = viewOf(req, e);
    if (view) write(view.type, view.object);
  });
  unregister = registry.add({ close, fail });
  if (req.allowBookmarks) {
    const bookmark = () => {
      write('BOOKMARK', {
        kind: req.rt.kind,
        apiVersion: apiVersionOf(req.rt),
        metadata: { resourceVersion: String(store.resourceVersion), creationTimestamp: null },
      });
      bookmarkTimer = setTimeout(bookmark, settings.bookmarkIntervalMs);
    };
    bookmarkTimer = setTimeout(bookmark, settings.bookmarkIntervalMs);
  }
  if (req.timeoutSeconds !== undefined && req.timeoutSeconds > 0) {
    timeoutTimer = setTimeout(close, req.timeoutSeconds * 1000);
  }
}
