import { strict as assert } from 'node:assert';
import { addressPlan, hostPort, type LabSpec } from '../lib/address-plan';
import { seedServerEnv, shootClientEnv, labFiles, serverClusterName } from '../lib/vpn-programs';

const spec = (over: Partial<LabSpec>): LabSpec => ({
  name: 't',
  shootFamilies: ['IPv4'],
  seedFamilies: ['IPv4'],
  seedPodsOverlapShootPods: false,
  headerKey: 'X-Gardener-Destination',
  ...over,
});

describe('e2e lib: address plan and program environment', () => {
  it('an IPv4 lab has IPv4 shoot networks, hosts and outer link only', () => {
    const p = addressPlan(spec({ headerKey: 'Reversed-VPN' }));
    assert.deepEqual(p.shootNetworks, { pod: ['100.96.0.0/11'], service: ['100.64.0.0/13'], node: ['10.250.0.0/16'] });
    assert.deepEqual(
      p.shootHosts.map((h) => `${h.kind} ${h.address.address}`),
      ['pod 100.96.0.10', 'service 100.64.0.10', 'node 10.250.0.10'],
    );
    assert.equal(p.seedPodNetwork, '10.96.0.0/11');
    assert.equal(p.endpoint, '192.0.2.10');
    assert.equal(p.ingressPort, 8132);
    assert.ok([...p.shootUplink, ...p.ingressExternal, ...p.shootClient].every((a) => a.family === 'IPv4'));
  });

  it('a dual-stack lab lists IPv4 first and keeps an IPv4 seed pod network', () => {
    const p = addressPlan(spec({ shootFamilies: ['IPv6', 'IPv4'], seedFamilies: ['IPv6', 'IPv4'] }));
    assert.deepEqual(p.shootNetworks.pod, ['100.96.0.0/11', 'fd00:96::/48']);
    assert.equal(p.shootHosts.length, 6);
    assert.equal(p.seedPodNetwork, '10.96.0.0/11');
    assert.deepEqual(
      p.seedServer.map((a) => a.address),
      ['10.96.0.2', 'fd00:10::2'],
    );
    assert.equal(p.ingressPort, 8443);
  });

  it('an IPv6-only lab dials an IPv6 endpoint and uses an IPv6 seed pod network', () => {
    const p = addressPlan(spec({ shootFamilies: ['IPv6'], seedFamilies: ['IPv6'] }));
    assert.equal(p.endpoint, '2001:db8:1::10');
    assert.equal(p.seedPodNetwork, 'fd00:10::/64');
    assert.deepEqual(p.shootNetworks.service, ['fd00:64::/108']);
  });

  it('an overlapping lab puts the seed pods into the shoot pod network, but never onto a shoot host address', () => {
    const p = addressPlan(spec({ seedPodsOverlapShootPods: true }));
    assert.equal(p.seedPodNetwork, p.shootNetworks.pod[0]);
    const seedAddresses = [...p.seedServer, ...p.kubeApiserver, ...p.ingressInternal, ...p.seedGateways].map((a) => a.address);
    assert.ok(p.shootHosts.every((h) => !seedAddresses.includes(h.address.address)));
  });

  it('gives the programs only the container environment Gardener sets', () => {
    const p = addressPlan(spec({ name: 'dual', shootFamilies: ['IPv4', 'IPv6'], seedFamilies: ['IPv4', 'IPv6'] }));
    const files = labFiles('/tmp/lab');
    const server = seedServerEnv(p, files);
    assert.equal(server.SHOOT_POD_NETWORKS, '100.96.0.0/11,fd00:96::/48');
    assert.equal(server.OPENVPN_STATUS_PATH, '/tmp/lab/server/status/openvpn.status');
    assert.equal(server.SEED_POD_NETWORK, '10.96.0.0/11');
    const client = shootClientEnv(p);
    assert.equal(client.REVERSED_VPN_HEADER, 'outbound|1194||vpn-seed-server.shoot--e2e--dual.svc.cluster.local');
    assert.equal(client.REVERSED_VPN_HEADER, serverClusterName(p));
    assert.equal(client.IP_FAMILIES, 'IPv4,IPv6');
    assert.equal(client.OPENVPN_PORT, '8443');
    assert.ok(!('HOME' in client) && !('IS_HA' in server));
  });

  it('brackets IPv6 addresses in host:port', () => {
    assert.equal(hostPort('fd00::1', 80), '[fd00::1]:80');
    assert.equal(hostPort('10.0.0.1', 80), '10.0.0.1:80');
  });
});
