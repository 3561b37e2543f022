import { strict as assert } from 'node:assert';
import { hostPort } from '../lib/address-plan';
import { ipv4Of } from '../lib/ha-plan';
import { ENVOY_GID, SHOOT_HOST_PORT } from '../lib/lab-programs';
import { useHaLab } from './support';

/**
 * The seed pod network equals the shoot pod network (100.96.0.0/11). The kube-apiserver pod then runs an
 * envoy sidecar (group 31415) whose IPv4 traffic to the shoot is mapped into 242–244/8 on the way out and
 * restored by the vpn-shoot pod; the pod IP is announced as its 241/8 mapping.
 */
describe('[e2e] HA: seed pod network overlaps the shoot pod network (241–244/8 NETMAP on the taps)', function () {
  this.timeout(60_000);
  const lab = useHaLab({ name: 'ha-overlap', shootClients: 1, seedClients: 1, overlap: true });

  it('routes the mapped /8s over a tap and announces the pod IP as its 241/8 mapping', async () => {
    const l = lab();
    const routes = await l.ns.seedClients[0].ip('-4', 'route', 'show');
    for (const block of ['242.0.0.0/8', '243.0.0.0/8', '244.0.0.0/8'])
      assert.match(routes, new RegExp(`^${block.replace(/\./g, '\\.')} via inet6 \\S+ dev tap\\d`, 'm'));
    const podIp = ipv4Of(l.plan.seedClients[0]);
    const mapped = `241.${podIp.split('.').slice(1).join('.')}`;
    const returnRoutes = await l.ns.shootClients[0].ip('-4', 'route', 'show');
    assert.match(returnRoutes, new RegExp(`^${mapped.replace(/\./g, '\\.')} via inet6 \\S+ dev tap\\d`, 'm'));
  });

  it("the envoy stand-in (group 31415) reaches the shoot's IPv4 pod, service and node addresses, IPv6 ones directly", async () => {
    const l = lab();
    const kapi = l.ns.seedClients[0];
    const envoy = await l.startEnvoy(0);
    const checks = await Promise.all(
      l.plan.shootHosts.flatMap((host) => {
        const target = { host: host.address.address, port: SHOOT_HOST_PORT };
        const viaEnvoy = host.address.family === 'IPv4';
        return [
          l.probe(kapi, { op: 'request', target, ...(viaEnvoy ? { proxy: envoy } : {}), timeoutMs: 3_000 }).then((r) => ({
            what: `TCP ${hostPort(target.host, target.port)}${viaEnvoy ? ' via envoy' : ''}`,
            ok: r.ok && r.detail.startsWith(`pong ${target.host} `),
            detail: r.detail,
          })),
          kapi
            .exec('ping', ['-n', '-c', '1', '-W', '2', target.host], { gid: viaEnvoy ? ENVOY_GID : undefined, timeoutMs: 5_000 })
            .then((r) => ({
              what: `ICMP ${target.host}${viaEnvoy ? ' as group 31415' : ''}`,
              ok: r.code === 0,
              detail: r.stdout.trim().split('\n').pop() ?? '',
            })),
        ];
      }),
    );
    assert.deepEqual(
      checks.filter((c) => !c.ok),
      [],
    );
  });
});
