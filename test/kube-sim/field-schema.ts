/**
 * The parts of the real 1.20 OpenAPI (`/openapi/v2`) that server-side apply's merge and ownership
 * depend on, per kind. Associative lists merge item by item instead of being replaced whole: a list
 * is keyed by its `x-kubernetes-list-map-keys`, or else by its `x-kubernetes-patch-merge-key` when
 * its patch strategy is `merge` (what structured-merge-diff's schema conversion does); `merge`
 * without a key is a set of scalars; every other list is atomic. Maps are per key, except
 * `x-kubernetes-map-type: atomic` ones (in 1.20 only LabelSelector). Only the fields of the kinds
 * the simulator serves and the orchestrator writes are listed; extend the table from the OpenAPI
 * when a test needs more.
 */

/** Schema of one field: its own merge type and the fields below it that have one. */
export interface FieldSchema {
  /** Associative list keyed by these item fields (sorted, as FieldsV1 writes them). */
  keys?: string[];
  /** Set of scalars (`v:` items). */
  set?: true;
  /** A map owned and replaced as a whole. */
  atomic?: true;
  /** Fields of this map, or of each item when `keys` is set. */
  fields?: Record<string, FieldSchema>;
}

const LABEL_SELECTOR: FieldSchema = { atomic: true };

const keyed = (keys: string[], fields?: Record<string, FieldSchema>): FieldSchema => ({
  keys: [...keys].sort(),
  ...(fields ? { fields } : {}),
});

const OBJECT_META: FieldSchema = {
  fields: { finalizers: { set: true }, ownerReferences: keyed(['uid']) },
};

const CONTAINER = keyed(['name'], {
  ports: keyed(['containerPort', 'protocol']),
  env: keyed(['name']),
  volumeMounts: keyed(['mountPath']),
  volumeDevices: keyed(['devicePath']),
});

const POD_SPEC: FieldSchema = {
  fields: {
    containers: CONTAINER,
    initContainers: CONTAINER,
    ephemeralContainers: CONTAINER,
    volumes: keyed(['name']),
    imagePullSecrets: keyed(['name']),
    hostAliases: keyed(['ip']),
    topologySpreadConstraints: keyed(['topologyKey', 'whenUnsatisfiable']),
  },
};

const BY_KIND: Record<string, Record<string, FieldSchema>> = {
  Pod: { spec: POD_SPEC },
  Deployment: {
    spec: {
      fields: {
        selector: LABEL_SELECTOR,
        template: { fields: { metadata: OBJECT_META, spec: POD_SPEC } },
      },
    },
  },
  Service: { spec: { fields: { ports: keyed(['port', 'protocol']) } } },
  NetworkPolicy: { spec: { fields: { podSelector: LABEL_SELECTOR } } },
  PersistentVolumeClaim: { spec: { fields: { selector: LABEL_SELECTOR } } },
};

/**
 * The schema of a whole object of `kind` (custom resources: metadata only, as for CRDs without
 * list-type markers such as Traefik's).
 */
export function schemaFor(kind: string | undefined): FieldSchema {
  return { fields: { metadata: OBJECT_META, ...(kind ? BY_KIND[kind] : undefined) } };
}
