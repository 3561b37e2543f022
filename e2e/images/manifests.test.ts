import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as appsV1 from 'kubernetes-models/apps/v1';
import * as networkingV1 from 'kubernetes-models/networking.k8s.io/v1';
import * as policyV1 from 'kubernetes-models/policy/v1';
import * as coreV1 from 'kubernetes-models/v1';
import {
  clientConfigValues,
  parseClientSettings,
  parsePathControllerSettings,
  parseServerSettings,
  parseTunnelControllerSettings,
  renderClientConfig,
  renderServerConfig,
  SEED_SERVER_ENVIRONMENT,
  serverConfigValues,
  SHOOT_CLIENT_ENVIRONMENT,
  variablesOf,
  type EnvironmentTable,
  silentLogger,
} from '@vpn/common';
import { netstatFamilies } from '@vpn/common/dist/src/metrics/netstat-metrics';
import { openvpnFamilies } from '@vpn/common/dist/src/metrics/openvpn-metrics';
import { parseSeedServerArgs } from '@vpn/vpn-seed-server/dist/src/cli';
import { parseShootClientArgs } from '@vpn/vpn-shoot-client/dist/src/cli';
import { PathMetrics } from '@vpn/vpn-shoot-client/dist/src/ha/path-metrics';
import { READINESS_PORT } from '@vpn/vpn-shoot-client/dist/src/ha/timing';
import { TunnelMetrics } from '@vpn/vpn-shoot-client/dist/src/ha/tunnel-metrics';
import { REPO_ROOT } from '../lib/lab-programs';
import { containerEnv, loadVariant, podsOf, programOf, VARIANTS, type Container, type K8sObject, type Pod } from './manifests';

/**
 * The manifests against the Kubernetes API schemas (kubernetes-models, plus a check that every field name
 * exists in those schemas, which they do not enforce) and against the programs themselves: every variable
 * a container sets is one its program reads and accepts, every command and probe names a subcommand that
 * exists, and ports and paths agree with what the programs render and serve.
 */
const { version: VERSION } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
const FACTS = { podIp: '10.96.0.30', hostIp: '10.250.0.5' };

// Group/version -> the kubernetes-models classes of that group, by kind.
const MODELS: Record<string, Record<string, unknown>> = {
  v1: coreV1,
  'apps/v1': appsV1,
  'policy/v1': policyV1,
  'networking.k8s.io/v1': networkingV1,
};

/** Every property name the schemas know: a misspelt field passes the schemas' own validation, not this. */
const KNOWN_FIELDS: ReadonlySet<string> = (() => {
  const names = new Set<string>();
  const dirs = ['kubernetes-models', '@kubernetes-models/apimachinery'].map((pkg) =>
    path.join(path.dirname(require.resolve(`${pkg}/package.json`)), '_schemas'),
  );
  for (const [dir, f] of dirs.flatMap((d) =>
    readdirSync(d)
      .filter((n) => n.endsWith('.js'))
      .map((n) => [d, n]),
  )) {
    for (const m of readFileSync(path.join(dir, f), 'utf8').matchAll(
      /parentDataProperty:"([^"]+)"|void 0===data\.([A-Za-z_$][\w$]*)|data\["([^"]+)"\]/g,
    ))
      names.add(m[1] ?? m[2] ?? m[3]);
  }
  return names;
})();
/** Maps whose keys are data, not fields. */
const FREE_FORM = new Set(['labels', 'annotations', 'matchLabels', 'data', 'stringData', 'nodeSelector', 'requests', 'limits']);

function unknownFields(value: unknown, at: string, kind: string): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => unknownFields(v, `${at}[${i}]`, kind));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, v]) => {
    const here = `${at}.${key}`;
    const own = KNOWN_FIELDS.has(key) ? [] : [here];
    const freeForm = FREE_FORM.has(key) || (kind === 'Service' && here === '.spec.selector');
    return freeForm ? own : [...own, ...unknownFields(v, here, kind)];
  });
}

/** Which settings parser each subcommand runs on its environment (main.ts of each program). */
type Parser = (env: NodeJS.ProcessEnv) => unknown;
const NO_ENV: Parser = () => undefined;
const SERVER_PARSERS: Record<string, Parser> = {
  root: parseServerSettings,
  setup: NO_ENV,
  readiness: parseServerSettings,
  liveness: parseServerSettings,
  exporter: parseServerSettings,
};
const CLIENT_PARSERS: Record<string, Parser> = {
  root: parseClientSettings,
  setup: parseClientSettings,
  'path-controller': parsePathControllerSettings,
  'tunnel-controller': parseTunnelControllerSettings,
};
const TABLES: Record<'vpn-seed-server' | 'vpn-shoot-client', EnvironmentTable<string>> = {
  'vpn-seed-server': SEED_SERVER_ENVIRONMENT,
  'vpn-shoot-client': SHOOT_CLIENT_ENVIRONMENT,
};

/** The program's subcommand for a container command (none = the image entrypoint's root command). */
function subcommand(program: 'vpn-seed-server' | 'vpn-shoot-client', argv: string[] | undefined): string {
  if (argv === undefined) return 'root';
  const [binary, ...args] = argv;
  const expected = program === 'vpn-seed-server' ? '/bin/vpn-server' : '/bin/vpn-client';
  assert.equal(binary, expected, `${argv.join(' ')} must run ${expected}`);
  const parsed = program === 'vpn-seed-server' ? parseSeedServerArgs(args) : parseShootClientArgs(args);
  assert.notEqual(parsed.command, 'help', `${argv.join(' ')} is no subcommand`);
  return parsed.command;
}

function ourContainers(pod: Pod): { container: Container; program: 'vpn-seed-server' | 'vpn-shoot-client'; init: boolean }[] {
  const all = [...(pod.spec.initContainers ?? []).map((c) => ({ c, init: true })), ...pod.spec.containers.map((c) => ({ c, init: false }))];
  return all.flatMap(({ c, init }) => {
    const program = programOf(c.image);
    return program && c.command?.[0] !== 'sleep' ? [{ container: c, program, init }] : [];
  });
}

for (const variant of VARIANTS) {
  describe(`manifests deploy/${variant}`, () => {
    const objects = loadVariant(variant);
    const pods = podsOf(objects);

    it('parse, and every object validates against the Kubernetes API schema with no unknown field', () => {
      for (const { object, file } of objects) {
        const models = MODELS[object.apiVersion];
        assert.ok(models, `${file}: ${object.apiVersion} is not among the modelled API groups`);
        const Model = models[object.kind] as (new (o: K8sObject) => { validate(): void }) | undefined;
        assert.ok(Model, `${file}: no model for ${object.apiVersion} ${object.kind}`);
        assert.doesNotThrow(() => new Model(object).validate(), `${file}: ${object.kind}/${object.metadata.name}`);
        assert.deepEqual(
          unknownFields(object, '', object.kind),
          [],
          `${file}: ${object.kind}/${object.metadata.name} has fields the API does not know`,
        );
      }
    });

    it('select pods by app labels only: no Service or NetworkPolicy uses statefulset.kubernetes.io/pod-name', () => {
      for (const { object, file } of objects) {
        if (object.kind !== 'Service' && object.kind !== 'NetworkPolicy') continue;
        assert.ok(
          !JSON.stringify(object).includes('statefulset.kubernetes.io/pod-name'),
          `${file}: ${object.kind}/${object.metadata.name}`,
        );
      }
    });

    it(`use this version's images (${VERSION}) and run a subcommand that exists in every command and exec probe`, () => {
      for (const pod of pods) {
        for (const { container, program } of ourContainers(pod)) {
          assert.equal(container.image, `localhost/${program}:${VERSION}`, `${pod.name}/${container.name}`);
          subcommand(program, container.command);
          for (const probe of [container.readinessProbe, container.livenessProbe]) if (probe?.exec) subcommand(program, probe.exec.command);
        }
      }
    });

    it("set only variables the environment table gives the container's subcommand, with values it accepts", () => {
      for (const pod of pods) {
        for (const { container, program } of ourContainers(pod)) {
          const command = subcommand(program, container.command);
          const env = containerEnv(pod, container, FACTS);
          const accepted = variablesOf(TABLES[program], command).map((v) => v.name);
          const unknown = Object.keys(env).filter((name) => !accepted.includes(name));
          assert.deepEqual(unknown, [], `${pod.name}/${container.name} sets variables ${program} ${command} does not read`);
          (program === 'vpn-seed-server' ? SERVER_PARSERS : CLIENT_PARSERS)[command](env);
        }
      }
    });

    it('mount every file the rendered OpenVPN configs and the status path name, and /dev/net/tun', () => {
      for (const pod of pods) {
        for (const { container, program, init } of ourContainers(pod)) {
          if (init || container.command !== undefined) continue;
          const env = containerEnv(pod, container, FACTS);
          const config =
            program === 'vpn-seed-server'
              ? renderServerConfig(
                  serverConfigValues(parseServerSettings(env), {
                    secretsDir: '/srv/secrets',
                    clientConfigDir: '/client-config-dir',
                    hookCommand: '/bin/vpn-server',
                    tunMtu: 0,
                  }),
                )
              : renderClientConfig(clientConfigValues(parseClientSettings(env), { secretsDir: '/srv/secrets', tunMtu: 0 }));
          const mounts = (container.volumeMounts ?? []).map((m) => m.mountPath);
          const files = [...config.matchAll(/(\/srv\/secrets\/[^\s"]+)/g)].map((m) => m[1]);
          assert.ok(files.length >= 4, `${pod.name}/${container.name}: the config names its key material`);
          for (const file of files) assert.ok(mounts.includes(path.dirname(file)), `${pod.name}/${container.name}: ${file} is not mounted`);
          assert.ok(mounts.includes('/dev/net/tun'), `${pod.name}/${container.name}: /dev/net/tun`);
          if (program === 'vpn-seed-server') {
            assert.ok(mounts.includes(path.dirname(env.OPENVPN_STATUS_PATH)), `${pod.name}/${container.name}: status directory`);
            assert.match(config, /^port 1194$/m);
            assert.deepEqual(
              container.ports?.map((p) => p.containerPort),
              [1194],
            );
          }
        }
      }
    });

    it('probe the ports and paths the programs serve', () => {
      const exporterListen = parseSeedServerArgs(['exporter']);
      assert.ok(exporterListen.command === 'exporter');
      const exporterPort = Number(exporterListen.listen.split(':').pop());
      for (const pod of pods) {
        for (const { container } of ourContainers(pod)) {
          const cmd = container.command?.slice(1).join(' ');
          for (const probe of [container.readinessProbe, container.livenessProbe]) {
            if (probe?.tcpSocket) {
              assert.equal(cmd, 'exporter', `${pod.name}/${container.name}: only the exporter listens on TCP`);
              assert.equal(probe.tcpSocket.port, exporterPort);
            }
            if (probe?.httpGet) {
              assert.equal(cmd, 'tunnel-controller', `${pod.name}/${container.name}: only the tunnel controller serves HTTP`);
              assert.deepEqual([probe.httpGet.path, probe.httpGet.port], ['/readyz', READINESS_PORT]);
            }
          }
          if (cmd === 'path-controller') {
            const { metricsPort } = parsePathControllerSettings(containerEnv(pod, container, FACTS));
            assert.deepEqual(
              container.ports?.map((p) => p.containerPort),
              [metricsPort],
              `${pod.name}/${container.name}: /metrics`,
            );
          }
          if (cmd === 'tunnel-controller')
            assert.deepEqual(
              container.ports?.map((p) => p.containerPort),
              [READINESS_PORT],
              `${pod.name}/${container.name}: /readyz and /metrics`,
            );
          if (cmd === 'exporter') {
            const statusDir = path.dirname(containerEnv(pod, container, FACTS).OPENVPN_STATUS_PATH);
            const server = pod.spec.containers.find((c) => c.name === 'vpn-seed-server');
            const volumeAt = (c: Container | undefined): string | undefined =>
              c?.volumeMounts?.find((m) => m.mountPath === statusDir)?.name;
            assert.ok(
              volumeAt(container) !== undefined && volumeAt(container) === volumeAt(server),
              `${pod.name}: the exporter reads the server's status volume`,
            );
          }
        }
      }
    });
  });
}

describe('manifests deploy/ha: headless peering', () => {
  const objects = loadVariant('ha');
  const pods = podsOf(objects);
  const find = (kind: string, name: string): K8sObject => {
    const o = objects.find((x) => x.object.kind === kind && x.object.metadata.name === name)?.object;
    assert.ok(o, `${kind}/${name}`);
    return o;
  };

  it('govern the server StatefulSet by one headless Service that publishes not-ready addresses', () => {
    const sts = find('StatefulSet', 'vpn-seed-server');
    const svc = find('Service', 'vpn-seed-server');
    assert.equal(sts.spec?.serviceName, 'vpn-seed-server');
    assert.equal(sts.spec?.replicas, 2);
    assert.equal(svc.spec?.clusterIP, 'None');
    assert.equal(svc.spec?.publishNotReadyAddresses, true);
    assert.deepEqual(svc.spec?.selector, { app: 'vpn-seed-server' });
    assert.deepEqual(
      objects.filter((o) => o.object.kind === 'Service').map((o) => o.object.metadata.name),
      ['vpn-seed-server'],
    );
  });

  it('let every client of server s dial the replica s per-pod name under that Service', () => {
    const namespace = find('StatefulSet', 'vpn-seed-server').metadata.namespace;
    for (const pod of pods) {
      for (const { container, program } of ourContainers(pod)) {
        if (program !== 'vpn-shoot-client' || container.command !== undefined) continue;
        const env = containerEnv(pod, container, FACTS);
        const s = env.VPN_SERVER_INDEX;
        const name = `vpn-seed-server-${s}.vpn-seed-server.${namespace}.svc.cluster.local`;
        if (env.IS_SHOOT_CLIENT === 'true')
          assert.equal(env.REVERSED_VPN_HEADER, `outbound|1194||${name}`, `${pod.name}/${container.name}`);
        else assert.deepEqual([env.ENDPOINT, env.OPENVPN_PORT], [name, '1194'], `${pod.name}/${container.name}`);
      }
    }
  });
});

describe('deploy/grafana dashboard', () => {
  it('queries only series the exporter and the HA controllers export', () => {
    const dashboard = JSON.parse(readFileSync(path.join(REPO_ROOT, 'deploy', 'grafana', 'vpn-dashboard.json'), 'utf8')) as {
      panels: { targets?: { expr: string }[] }[];
    };
    const controllers = [new PathMetrics(), new TunnelMetrics()].flatMap((m) => m.registry.getMetricsAsArray());
    const exported = new Set([
      ...controllers.flatMap((m) =>
        String(m.type) === 'histogram' ? ['_bucket', '_sum', '_count'].map((suffix) => `${m.name}${suffix}`) : [m.name],
      ),
      ...[...openvpnFamilies([]), ...netstatFamilies(null, silentLogger)].map((f) => f.name),
    ]);
    const queried = dashboard.panels.flatMap((p) => p.targets ?? []).flatMap((t) => t.expr.match(/\b(?:vpn|openvpn)_\w+/g) ?? []);
    assert.ok(queried.length >= 15, `${queried.length} series queried`);
    assert.deepEqual(
      queried.filter((name) => !exported.has(name)),
      [],
    );
    for (const name of exported)
      if (!name.endsWith('_sum') && !name.endsWith('_count')) assert.ok(queried.includes(name), `${name} has no panel`);
  });
});
