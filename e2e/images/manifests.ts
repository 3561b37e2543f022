import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT } from '../lib/lab-programs';

/**
 * The manifests under deploy/ as the tests and the image lab read them: every object a kustomization
 * lists (its `resources`, followed into directories), and each workload's pod as a kubelet would run it.
 * Only the Kubernetes fields the manifests use are modelled.
 */
export const DEPLOY_DIR = path.join(REPO_ROOT, 'deploy');
export const VARIANTS = ['non-ha', 'ha'] as const;
export type Variant = (typeof VARIANTS)[number];

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface LoadedObject {
  object: K8sObject;
  file: string;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string } };
}

export interface Probe {
  exec?: { command: string[] };
  httpGet?: { path: string; port: number };
  tcpSocket?: { port: number };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
}

export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  securityContext?: {
    privileged?: boolean;
    runAsUser?: number;
    runAsGroup?: number;
    capabilities?: { add?: string[]; drop?: string[] };
  };
  volumeMounts?: { name: string; mountPath: string }[];
}

export interface SecretItem {
  key: string;
  path: string;
}

export interface Volume {
  name: string;
  hostPath?: { path: string };
  emptyDir?: object;
  secret?: { secretName: string; items?: SecretItem[] };
  configMap?: { name: string };
  projected?: { sources: { secret?: { name: string; items?: SecretItem[] } }[] };
}

export interface PodSpec {
  initContainers?: Container[];
  containers: Container[];
  volumes?: Volume[];
  dnsPolicy?: string;
  hostAliases?: { ip: string; hostnames: string[] }[];
}

/** One pod a workload creates: its name, labels and spec (StatefulSet pods `<name>-<ordinal>`). */
export interface Pod {
  name: string;
  namespace: string;
  workload: K8sObject;
  labels: Record<string, string>;
  spec: PodSpec;
}

/** Every object of deploy/<variant>, in the order of its kustomizations. */
export function loadVariant(variant: Variant): LoadedObject[] {
  return loadKustomization(path.join(DEPLOY_DIR, variant));
}

export function loadKustomization(dir: string): LoadedObject[] {
  const file = path.join(dir, 'kustomization.yaml');
  const kustomization = parseYaml(file)[0] as { kind?: string; resources?: string[] };
  const extra = Object.keys(kustomization).filter((k) => !['apiVersion', 'kind', 'resources'].includes(k));
  // Anything beyond `resources` would change objects in ways this loader does not reproduce.
  if (kustomization.kind !== 'Kustomization' || extra.length > 0)
    throw new Error(`${file}: only a Kustomization with resources is supported (found ${extra.join(', ') || kustomization.kind})`);
  return (kustomization.resources ?? []).flatMap((entry) => {
    const target = path.join(dir, entry);
    if (statSync(target).isDirectory()) return loadKustomization(target);
    return parseYaml(target).map((object) => ({ object: object as K8sObject, file: path.relative(REPO_ROOT, target) }));
  });
}

function parseYaml(file: string): unknown[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
    return doc.toJS() as unknown;
  });
}

/** The pods of every Deployment and StatefulSet, with the names Kubernetes gives them. */
export function podsOf(objects: LoadedObject[]): Pod[] {
  return objects.flatMap(({ object }) => {
    if (object.kind !== 'Deployment' && object.kind !== 'StatefulSet') return [];
    const spec = object.spec as { replicas?: number; template: { metadata?: { labels?: Record<string, string> }; spec: PodSpec } };
    const replicas = spec.replicas ?? 1;
    return Array.from({ length: replicas }, (_, i) => ({
      name: object.kind === 'StatefulSet' ? `${object.metadata.name}-${i}` : `${object.metadata.name}-5d8c7b9f6-x2kq${i}`,
      namespace: object.metadata.namespace ?? 'default',
      workload: object,
      labels: spec.template.metadata?.labels ?? {},
      spec: spec.template.spec,
    }));
  });
}

/** What the pod's downward-API references resolve to. */
export interface PodFacts {
  podIp: string;
  hostIp: string;
}

/** A container's environment as the kubelet hands it over: values, and field references resolved. */
export function containerEnv(pod: Pod, container: Container, facts: PodFacts): Record<string, string> {
  const fields: Record<string, string> = {
    'metadata.name': pod.name,
    'metadata.namespace': pod.namespace,
    'status.podIP': facts.podIp,
    'status.hostIP': facts.hostIp,
  };
  const env: Record<string, string> = {};
  for (const v of container.env ?? []) {
    const fieldPath = v.valueFrom?.fieldRef?.fieldPath;
    if (fieldPath !== undefined) {
      if (!(fieldPath in fields)) throw new Error(`${pod.name}/${container.name}: unsupported fieldRef ${fieldPath}`);
      env[v.name] = fields[fieldPath];
    } else {
      env[v.name] = v.value ?? '';
    }
  }
  return env;
}

/** Which of this repository's programs an image runs, by the image's name; undefined for others (envoy). */
export function programOf(image: string): 'vpn-seed-server' | 'vpn-shoot-client' | undefined {
  const name = image
    .replace(/:[^/]*$/, '')
    .split('/')
    .pop();
  return name === 'vpn-seed-server' || name === 'vpn-shoot-client' ? name : undefined;
}
