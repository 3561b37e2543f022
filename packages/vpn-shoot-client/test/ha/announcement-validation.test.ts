import { strict as assert } from 'node:assert';
import { Cidr, DEFAULT_VPN_NETWORK, Ip } from '@vpn/common';
import { podProblem, senderServer, type AnnouncementScope } from '../../src/ha/announcement-validation';

const scope: AnnouncementScope = { vpnNetwork: DEFAULT_VPN_NETWORK, seedPodNetwork: undefined, shootNetworks: [] };
const withSeed: AnnouncementScope = { ...scope, seedPodNetwork: Cidr.parse('10.200.0.0/16') };
const withShoot: AnnouncementScope = {
  ...scope,
  shootNetworks: ['100.96.0.0/11', '100.64.0.0/13', 'fd00:96::/64'].map((c) => Cidr.parse(c)),
};

describe('ha announcement validation', () => {
  const senders: [string, number | undefined][] = [
    ['fd8f:6d53:b97a:1::100:1000', 0],
    ['fd8f:6d53:b97a:1::100:1001', 0],
    ['fd8f:6d53:b97a:1::101:ffff', 1],
    ['fd8f:6d53:b97a:1::102:1002', 2],
    ['fd8f:6d53:b97a:1::103:1001', undefined], // no server 3
    ['fd8f:6d53:b97a:1::100:1', undefined], // the server itself
    ['fd8f:6d53:b97a:1::100:b01', undefined], // a shoot client
    ['fd8f:6d53:b97a:1::1001', undefined], // outside every slice
    ['fd8f:6d53:b97a:2::100:1001', undefined], // another /96
    ['10.0.0.1', undefined],
  ];
  for (const [sender, server] of senders) {
    it(`sender ${sender}: ${server === undefined ? 'refused' : `server ${server}`}`, () => {
      assert.equal(senderServer(scope, Ip.parse(sender)), server);
    });
  }

  const pods: [string, AnnouncementScope, RegExp | undefined][] = [
    ['10.200.0.10', scope, undefined],
    ['fd00:10:200::a', scope, undefined],
    ['100.96.0.5', scope, undefined], // Gardener gives the tunnel controller no shoot networks
    ['100.96.0.5', withShoot, /lies in the shoot network 100.96.0.0\/11/],
    ['100.64.0.1', withShoot, /lies in the shoot network 100.64.0.0\/13/],
    ['fd00:96::5', withShoot, /lies in the shoot network fd00:96::\/64/],
    ['10.200.0.10', withShoot, undefined],
    ['10.200.0.10', withSeed, undefined],
    ['241.200.0.10', withSeed, undefined],
    ['10.201.0.10', withSeed, /neither in SEED_POD_NETWORK 10.200.0.0\/16 nor in 241.0.0.0\/8/],
    ['fd00:10:200::a', withSeed, /neither in SEED_POD_NETWORK/],
    ['fd8f:6d53:b97a:1::100:1001', scope, /lies in VPN_NETWORK fd8f:6d53:b97a:1::\/96/],
    ['0.0.0.0', scope, /not a unicast address/],
    ['127.0.0.1', scope, /not a unicast/],
    ['169.254.1.1', scope, /not a unicast/],
    ['224.0.0.1', scope, /not a unicast/],
    ['255.255.255.255', scope, /not a unicast/],
    ['::', scope, /not a unicast/],
    ['::1', scope, /not a unicast/],
    ['fe80::1', scope, /not a unicast/],
    ['ff02::1', scope, /not a unicast/],
  ];
  for (const [pod, podScope, problem] of pods) {
    const seed =
      (podScope.seedPodNetwork ? ` (SEED_POD_NETWORK ${podScope.seedPodNetwork.toString()})` : '') +
      (podScope.shootNetworks.length > 0 ? ` (shoot networks ${podScope.shootNetworks.join(',')})` : '');
    it(`pod ${pod}${seed}: ${problem === undefined ? 'accepted' : 'refused'}`, () => {
      const found = podProblem(podScope, Ip.parse(pod));
      if (problem === undefined) assert.equal(found, undefined);
      else assert.match(found ?? '', problem);
    });
  }

  it('refuses an address of the endpoint (a route to it would carry the tunnels into themselves)', () => {
    const endpoints = [Ip.parse('203.0.113.7'), Ip.parse('2001:db8::7')];
    assert.equal(podProblem(scope, Ip.parse('203.0.113.7'), endpoints), '203.0.113.7 is an address of the endpoint');
    assert.equal(podProblem(scope, Ip.parse('2001:db8::7'), endpoints), '2001:db8::7 is an address of the endpoint');
    assert.equal(podProblem(scope, Ip.parse('203.0.113.8'), endpoints), undefined);
  });
});
