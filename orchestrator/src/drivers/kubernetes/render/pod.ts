import type { V1Container, V1EnvVar, V1Pod, V1Probe, V1Volume } from '@kubernetes/client-node';
import { DEFAULT_OPENCLAW_VERSION } from '../../../../../schema/domain/profiles.ts';
import { shortHash } from '../../../../../schema/domain/slugs.ts';
import {
  ANNOTATIONS,
  runtimeLabels,
  runtimeObjectName,
  workspaceClaimName,
} from '../../../names.ts';
import { gatewayBaseEnv } from '../../../render/gateway-env.ts';
import { MODEL_KEY_ENV } from '../../../render/openclaw-config.ts';
import type { RuntimeTarget } from '../../driver.ts';
import { CONFIG_KEY } from './anchor.ts';
import { type AnchorRef, GATEWAY_PORT, objectMeta } from './meta.ts';
import { containerSecurityContext, podSecurityContext } from './pod-security.ts';
import { PASSWORD_ENV } from './secret.ts';

/*
 * Workload decision: one bare Pod per running runtime (restartPolicy Always), recreated by the
 * orchestrator — KubeSpawner's model. The kubelet restarts a crashing gateway in place; anything
 * that ends the pod itself (node loss, eviction, a new template) becomes an explicit, observable
 * event the control plane owns and reports, instead of a controller silently moving the user's
 * in-memory agent state elsewhere. A fixed pod name gives at-most-one gateway per runtime for free
 * (the RWO workspace is never attached twice), and no Deployment/ReplicaSet machinery is needed.
 * Stop = delete the pod; data stays on the owner's PVC.
 */

const HOME = '/home/node';
const STATE_DIR = `${HOME}/.openclaw`;
/** Writable copy of the config: the gateway writes to its own config file (migrations, metadata). */
const CONFIG_DIR = '/etc/openclaw';
const TEMPLATE_DIR = '/etc/openclaw-template';

export interface PodInput {
  target: RuntimeTarget;
  namespace: string;
  /** Image repository without tag (OPENCLAW_IMAGE); the profile's `image` overrides it. */
  image: string;
  owner: AnchorRef;
  terminationGracePeriodSeconds: number;
}

export function renderPod(input: PodInput): V1Pod {
  const { target } = input;
  const name = runtimeObjectName(target.runtimeId);
  const labels = runtimeLabels(target.runtimeId, target.ownerId, 'gateway');
  const repository = target.profile.image || input.image;
  const image = `${repository}:${target.openclawVersion || DEFAULT_OPENCLAW_VERSION}`;
  const spec: V1Pod['spec'] = {
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: input.terminationGracePeriodSeconds,
    automountServiceAccountToken: false,
    // Thousands of runtime Services share the namespace; their env vars would bloat every pod.
    enableServiceLinks: false,
    securityContext: podSecurityContext(),
    initContainers: [seedConfigContainer(image)],
    containers: [gatewayContainer(target, image)],
    volumes: volumes(target, name),
  };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: objectMeta(name, input.namespace, labels, {
      owner: input.owner,
      annotations: {
        [ANNOTATIONS.templateHash]: target.templateHash,
        [ANNOTATIONS.specHash]: shortHash(JSON.stringify({ labels, spec }), 16),
      },
    }),
    spec,
  };
}

/** Copies the rendered config from the read-only ConfigMap mount on every pod start. */
function seedConfigContainer(image: string): V1Container {
  return {
    name: 'seed-config',
    image,
    command: ['cp', `${TEMPLATE_DIR}/${CONFIG_KEY}`, `${CONFIG_DIR}/${CONFIG_KEY}`],
    securityContext: containerSecurityContext(),
    resources: {
      requests: { cpu: '10m', memory: '32Mi' },
      limits: { cpu: '100m', memory: '64Mi' },
    },
    volumeMounts: [
      { name: 'config-template', mountPath: TEMPLATE_DIR, readOnly: true },
      { name: 'config', mountPath: CONFIG_DIR },
    ],
  };
}

function gatewayContainer(target: RuntimeTarget, image: string): V1Container {
  const memory = `${target.profile.memoryMiB}Mi`;
  return {
    name: 'gateway',
    image,
    // `args`, not `command`: the image's entrypoint (tini) stays PID 1, reaping the gateway's helper
    // processes and forwarding SIGTERM.
    args: [
      'node',
      '/app/dist/index.js',
      'gateway',
      'run',
      '--bind',
      'lan',
      '--port',
      `${GATEWAY_PORT}`,
    ],
    ports: [{ name: 'http', containerPort: GATEWAY_PORT, protocol: 'TCP' }],
    env: gatewayEnv(target),
    resources: {
      // Memory request = limit: memory is not compressible, and an overcommitted node evicts or
      // OOM-kills some other user's runtime. Density is tuned through the profile instead.
      requests: { cpu: target.profile.cpuRequest, memory },
      limits: { cpu: target.profile.cpuLimit, memory },
    },
    securityContext: containerSecurityContext(),
    ...probes(),
    volumeMounts: [
      { name: 'workspace', mountPath: STATE_DIR, subPath: 'state' },
      // Auth-profile encryption keys: must persist, kept apart from state (OpenClaw docker docs).
      { name: 'workspace', mountPath: `${HOME}/.config/openclaw`, subPath: 'config' },
      { name: 'config', mountPath: CONFIG_DIR },
      // The root filesystem is read-only; these are the places Node/npm/OpenClaw write scratch to.
      { name: 'scratch', mountPath: '/tmp', subPath: 'tmp' },
      { name: 'scratch', mountPath: `${HOME}/.cache`, subPath: 'cache' },
      { name: 'scratch', mountPath: `${HOME}/.npm`, subPath: 'npm' },
    ],
  };
}

function gatewayEnv(target: RuntimeTarget): V1EnvVar[] {
  const plain: Record<string, string> = {
    ...gatewayBaseEnv(target.profile),
    HOME,
    OPENCLAW_HOME: HOME,
    OPENCLAW_STATE_DIR: STATE_DIR,
    OPENCLAW_CONFIG_PATH: `${CONFIG_DIR}/${CONFIG_KEY}`,
    OPENCLAW_WORKSPACE_DIR: `${STATE_DIR}/workspace`,
  };
  const secretName = runtimeObjectName(target.runtimeId);
  const fromSecret = (key: string): V1EnvVar => ({
    name: key,
    valueFrom: { secretKeyRef: { name: secretName, key } },
  });
  return [
    ...Object.entries(plain).map(([name, value]) => ({ name, value })),
    fromSecret(PASSWORD_ENV),
    ...(target.model ? [fromSecret(MODEL_KEY_ENV)] : []),
  ];
}

/**
 * Status-code probes are sound here because `/startupz` and `/healthz` are real endpoints (503 while
 * starting/draining); only unknown paths fall through to the Control UI's 200.
 */
function probes(): Pick<V1Container, 'startupProbe' | 'readinessProbe' | 'livenessProbe'> {
  const get = (path: string) => ({ httpGet: { path, port: GATEWAY_PORT, scheme: 'HTTP' } });
  const startupProbe: V1Probe = {
    ...get('/startupz'),
    // ~6–9 s on an idle node; allow 5 minutes (upstream's budget) for cold caches and busy nodes.
    periodSeconds: 2,
    timeoutSeconds: 2,
    failureThreshold: 150,
  };
  // Traffic admission follows upstream guidance: `/startupz` (`/readyz` also fails on channel
  // trouble, which must not take the Control UI offline).
  const readinessProbe: V1Probe = { ...get('/startupz'), periodSeconds: 5, failureThreshold: 3 };
  // Generous: a GC pause under load must not get a working gateway killed.
  const livenessProbe: V1Probe = {
    ...get('/healthz'),
    periodSeconds: 20,
    timeoutSeconds: 5,
    failureThreshold: 3,
  };
  return { startupProbe, readinessProbe, livenessProbe };
}

function volumes(target: RuntimeTarget, anchorName: string): V1Volume[] {
  return [
    {
      name: 'workspace',
      persistentVolumeClaim: { claimName: workspaceClaimName(target.ownerId) },
    },
    {
      name: 'config-template',
      configMap: { name: anchorName, items: [{ key: CONFIG_KEY, path: CONFIG_KEY }] },
    },
    { name: 'config', emptyDir: { sizeLimit: '16Mi' } },
    // Logs rotate at 100 MB × 5 under /tmp/openclaw; 1Gi bounds node disk use per runtime.
    { name: 'scratch', emptyDir: { sizeLimit: '1Gi' } },
  ];
}
