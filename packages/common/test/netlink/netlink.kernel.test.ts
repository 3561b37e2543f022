import assert from 'node:assert/strict';
import type { InterfaceAddress, Link, Route } from '../../src/netlink';
import { requireRoot } from '../support/privileges';
import { TestNetns } from '../support/netns';
import { errorOf, okValue, runFixture, type FixtureResult } from './run-fixture';

type Call = [string, ...unknown[]];

function callNetlink(ns: TestNetns, calls: Call[]): FixtureResult[] {
  return runFixture<FixtureResult[]>(ns, 'netlink/fixtures/netlink-calls.js', calls);
}

/** Two veth pairs: va (fd00:1::1/64, 192.0.2.1/24) - vb, and vc (fd00:2::1/64) - vd, all up. */
function createTopology(ns: TestNetns): void {
  ns.sh(
    [
      'ip link add va type veth peer name vb',
      'ip link add vc type veth peer name vd',
      'ip -6 addr add fd00:1::1/64 dev va nodad',
      'ip addr add 192.0.2.1/24 dev va',
      'ip -6 addr add fd00:2::1/64 dev vc nodad',
      'for d in va vb vc vd; do ip link set $d up; done',
    ].join(' && '),
  );
}

const routeTo = (routes: Route[], dst: string): Route[] => routes.filter((r) => r.dst === dst);

describe('[root] netlink against the kernel', function () {
  let ns: TestNetns;

  before(function () {
    requireRoot(this);
  });

  beforeEach(() => {
    ns = TestNetns.create('nl');
    createTopology(ns);
  });

  afterEach(() => ns?.destroy());

  it('gets links by name and index, sets them down and up, lists them', () => {
    const ifindex = Number(ns.sh('cat /sys/class/net/va/ifindex'));
    const mac = ns.sh('cat /sys/class/net/va/address').trim();
    const r = callNetlink(ns, [
      ['getLink', 'va'],
      ['getLink', 'missing0'],
      ['setLinkDown', 'va'],
      ['getLinkByIndex', ifindex],
      ['setLinkUp', 'va'],
      ['listLinks'],
      ['setLinkDown', 'missing0'],
    ]);
    assert.deepEqual(okValue(r[0]), { index: ifindex, name: 'va', up: true, carrier: true, mtu: 1500, mac });
    assert.equal(okValue(r[1]), null);
    assert.equal((okValue(r[3]) as Link).up, false);
    assert.deepEqual((okValue(r[5]) as Link[]).map((l) => l.name).sort(), ['lo', 'va', 'vb', 'vc', 'vd']);
    assert.deepEqual(errorOf(r[6]), { name: 'LinkNotFoundError', message: 'network device missing0 not found' });
    assert.match(ns.sh('ip link show va'), /<[^>]*\bUP\b[^>]*>/);
  });

  it('adds addresses (with and without NODAD) idempotently, lists them by link and family, deletes them', () => {
    const r = callNetlink(ns, [
      ['addAddress', { dev: 'vb', address: 'fd00:9::1/64', nodad: true }],
      ['addAddress', { dev: 'vb', address: 'fd00:9::1/64', nodad: true }],
      ['addAddress', { dev: 'vb', address: 'fd00:8::1/64' }],
      ['addAddress', { dev: 'vb', address: '198.51.100.1/24' }],
      ['listAddresses', { dev: 'vb', family: 6 }],
      ['listAddresses', { dev: 'vb', family: 4 }],
      ['listAddresses', { family: 4 }],
    ]);
    r.slice(0, 4).forEach((x) => okValue(x));
    const shown = ns.sh('ip -6 addr show dev vb');
    assert.match(shown, /inet6 fd00:9::1\/64 scope global nodad/);
    assert.equal(shown.match(/fd00:9::1\//g)?.length, 1);

    const v6 = okValue(r[4]) as InterfaceAddress[];
    const byAddress = new Map(v6.map((a) => [a.address, a]));
    assert.deepEqual(byAddress.get('fd00:9::1'), {
      linkIndex: Number(ns.sh('cat /sys/class/net/vb/ifindex')),
      family: 6,
      address: 'fd00:9::1',
      prefixLength: 64,
      scope: 'global',
      flags: ['nodad', 'permanent'],
    });
    assert.deepEqual(byAddress.get('fd00:8::1')?.flags, ['tentative', 'permanent'], 'duplicate address detection runs for about a second');
    assert.ok(
      v6.some((a) => a.scope === 'link' && a.address.startsWith('fe80:')),
      'link-local listed too',
    );
    assert.deepEqual(
      (okValue(r[5]) as InterfaceAddress[]).map((a) => `${a.address}/${a.prefixLength}`),
      ['198.51.100.1/24'],
    );
    assert.deepEqual((okValue(r[6]) as InterfaceAddress[]).map((a) => a.address).sort(), ['127.0.0.1', '192.0.2.1', '198.51.100.1']);

    const d = callNetlink(ns, [
      ['deleteAddress', { dev: 'vb', address: 'fd00:9::1/64' }],
      ['deleteAddress', { dev: 'vb', address: 'fd00:9::1/64' }],
      ['deleteAddress', { dev: 'vb', address: '198.51.100.1/24' }],
      ['listAddresses', { dev: 'missing0' }],
    ]);
    assert.deepEqual(d.slice(0, 3).map(okValue), [true, false, true]);
    assert.equal(errorOf(d[3]).name, 'LinkNotFoundError');
    assert.doesNotMatch(ns.sh('ip addr show dev vb'), /fd00:9::1|198\.51\.100\.1/);
  });

  it('replaces an IPv4 route via an IPv6 next hop twice into one route, and lists routes while it exists', () => {
    const r = callNetlink(ns, [
      ['replaceRoute', { dst: '10.0.0.0/8', dev: 'va', via: 'fd00:1::2' }],
      ['replaceRoute', { dst: '10.0.0.0/8', dev: 'va', via: 'fd00:1::2' }],
      ['listRoutes', 4],
      ['listRoutes'],
    ]);
    okValue(r[0]);
    okValue(r[1]);
    assert.equal(ns.sh('ip route show 10.0.0.0/8').trim(), '10.0.0.0/8 via inet6 fd00:1::2 dev va');

    const vaIndex = Number(ns.sh('cat /sys/class/net/va/ifindex'));
    assert.deepEqual(routeTo(okValue(r[2]) as Route[], '10.0.0.0/8'), [
      {
        family: 4,
        dst: '10.0.0.0/8',
        kind: 'unicast',
        protocol: 'boot',
        scope: 'global',
        metric: 0,
        via: { family: 6, address: 'fd00:1::2' },
        oif: vaIndex,
        dev: 'va',
      },
    ]);
    const all = okValue(r[3]) as Route[];
    assert.deepEqual(
      all.filter((x) => x.dev === 'va').map((x) => `${x.dst} ${x.protocol}`),
      ['10.0.0.0/8 boot', '192.0.2.0/24 kernel', 'fd00:1::/64 kernel', 'fe80::/64 kernel'],
      'IPv4 first, then IPv6, as the kernel dumps them',
    );

    const moved = callNetlink(ns, [['replaceRoute', { dst: '10.0.0.0/8', dev: 'vc', via: 'fd00:2::7' }]]);
    okValue(moved[0]);
    assert.equal(ns.sh('ip route show 10.0.0.0/8').trim(), '10.0.0.0/8 via inet6 fd00:2::7 dev vc');
  });

  it('installs IPv4 and IPv6 multipath routes over several devices and replaces them with single paths', () => {
    const nexthops = [
      { dev: 'va', via: 'fd00:1::2' },
      { dev: 'vc', via: 'fd00:2::2' },
    ];
    const r = callNetlink(ns, [
      ['replaceRoute', { dst: '10.2.0.0/16', nexthops }],
      ['replaceRoute', { dst: 'fd00:64::/64', nexthops }],
      ['listRoutes'],
    ]);
    okValue(r[0]);
    okValue(r[1]);
    assert.match(
      ns.sh('ip route show 10.2.0.0/16'),
      /nexthop via inet6 fd00:1::2 dev va weight 1\s+nexthop via inet6 fd00:2::2 dev vc weight 1/,
    );
    assert.match(ns.sh('ip -6 route show fd00:64::/64'), /nexthop via fd00:1::2 dev va weight 1\s+nexthop via fd00:2::2 dev vc weight 1/);

    const routes = okValue(r[2]) as Route[];
    const v4 = routeTo(routes, '10.2.0.0/16')[0];
    assert.deepEqual(
      v4?.nexthops?.map((h) => [h.dev, h.via?.address, h.weight]),
      [
        ['va', 'fd00:1::2', 1],
        ['vc', 'fd00:2::2', 1],
      ],
    );
    assert.equal(v4?.oif, undefined);
    const v6 = routeTo(routes, 'fd00:64::/64')[0];
    assert.deepEqual(
      v6?.nexthops?.map((h) => [h.dev, h.gateway]),
      [
        ['va', 'fd00:1::2'],
        ['vc', 'fd00:2::2'],
      ],
    );

    const single = callNetlink(ns, [
      ['replaceRoute', { dst: '10.2.0.0/16', dev: 'vc', via: 'fd00:2::2' }],
      ['replaceRoute', { dst: 'fd00:64::/64', dev: 'vc', via: 'fd00:2::2' }],
    ]);
    single.forEach((x) => okValue(x));
    assert.equal(ns.sh('ip route show 10.2.0.0/16').trim(), '10.2.0.0/16 via inet6 fd00:2::2 dev vc');
    assert.equal(ns.sh('ip -6 route show fd00:64::/64').trim(), 'fd00:64::/64 via fd00:2::2 dev vc metric 1024 pref medium');
  });

  it('serves concurrent calls on one instance (the kernel refuses a second dump in flight with EBUSY)', () => {
    const [all] = callNetlink(ns, [
      [
        'concurrently',
        [
          ['listLinks'],
          ['listRoutes'],
          ['listAddresses', { dev: 'va' }],
          ['replaceRoute', { dst: '10.5.0.0/16', dev: 'va' }],
          ['listRoutes', 4],
        ],
      ],
    ]);
    const results = okValue(all) as FixtureResult[];
    assert.equal(results.length, 5);
    results.forEach((x) => okValue(x));
    assert.equal(ns.sh('ip route show 10.5.0.0/16').trim(), '10.5.0.0/16 dev va scope link');
  });

  it('deletes routes, reporting whether there was one', () => {
    const r = callNetlink(ns, [
      ['replaceRoute', { dst: '10.3.0.0/16', dev: 'va' }],
      ['deleteRoute', { dst: '10.3.0.0/16' }],
      ['deleteRoute', { dst: '10.3.0.0/16' }],
      ['replaceRoute', { dst: 'fd00:3::/64', dev: 'va' }],
      ['deleteRoute', { dst: 'fd00:3::/64', dev: 'vc' }],
      ['deleteRoute', { dst: 'fd00:3::/64', dev: 'va' }],
      ['deleteRoute', { dst: 'fd00:3::/64', dev: 'missing0' }],
    ]);
    assert.deepEqual(r.map(okValue), [null, true, false, null, false, true, false]);
    assert.equal(ns.sh('ip route show 10.3.0.0/16; ip -6 route show fd00:3::/64'), '');
  });

  it('marks routes with a protocol number and deletes only a route carrying it', () => {
    ns.sh('ip route add 10.6.0.0/16 dev va && ip -6 route add fd00:6::/64 dev va');
    const r = callNetlink(ns, [
      ['deleteRoute', { dst: '10.6.0.0/16', dev: 'va', protocol: 118 }],
      ['deleteRoute', { dst: 'fd00:6::/64', dev: 'va', protocol: 118 }],
      ['replaceRoute', { dst: '10.7.0.0/16', dev: 'va', protocol: 118 }],
      ['replaceRoute', { dst: 'fd00:7::/64', dev: 'va', protocol: 118 }],
      ['listRoutes'],
      ['deleteRoute', { dst: '10.7.0.0/16', dev: 'va', protocol: 118 }],
      ['deleteRoute', { dst: 'fd00:7::/64', dev: 'va', protocol: 118 }],
    ]);
    assert.deepEqual(
      [0, 1, 2, 3, 5, 6].map((i) => okValue(r[i])),
      [false, false, null, null, true, true],
    );
    const listed = okValue(r[4]) as Route[];
    assert.deepEqual(
      [...routeTo(listed, '10.7.0.0/16'), ...routeTo(listed, 'fd00:7::/64')].map((route) => route.protocol),
      [118, 118],
    );
    assert.deepEqual(
      [...routeTo(listed, '10.6.0.0/16'), ...routeTo(listed, 'fd00:6::/64')].map((route) => route.protocol),
      ['boot', 'boot'],
    );
    assert.equal(ns.sh('ip route show 10.6.0.0/16; ip -6 route show fd00:6::/64').split('\n').filter(Boolean).length, 2);
    assert.equal(ns.sh('ip route show 10.7.0.0/16; ip -6 route show fd00:7::/64'), '');
  });

  it('deletes a neighbour entry so the next packet solicits afresh', () => {
    ns.sh('ip -6 neigh replace fd00:1::2 lladdr 02:00:00:00:00:02 dev va nud reachable');
    const r = callNetlink(ns, [
      ['deleteNeighbour', { dev: 'va', address: 'fd00:1::2' }],
      ['deleteNeighbour', { dev: 'va', address: 'fd00:1::2' }],
      ['deleteNeighbour', { dev: 'missing0', address: 'fd00:1::2' }],
    ]);
    assert.deepEqual(r.map(okValue), [true, false, false]);
    assert.doesNotMatch(ns.sh('ip -6 neigh show dev va'), /fd00:1::2 .*lladdr/);
  });

  it('names the route and the kernel error when a route is refused', () => {
    const r = callNetlink(ns, [
      ['replaceRoute', { dst: '10.4.0.0/16', dev: 'va', via: 'fd00:77::1' }],
      ['replaceRoute', { dst: '10.4.0.0/16', dev: 'missing0' }],
    ]);
    const refused = errorOf(r[0]);
    assert.equal(refused.name, 'NetlinkError');
    assert.match(refused.message, /^replace route 10\.4\.0\.0\/16 via fd00:77::1 dev va: .+ \(E[A-Z]+\)$/);
    assert.deepEqual(errorOf(r[1]), { name: 'LinkNotFoundError', message: 'network device missing0 not found' });
  });

  it('routes over a persistent tun device created by openvpn --mktun', () => {
    ns.sh('openvpn --mktun --dev tun0 >/dev/null');
    const r = callNetlink(ns, [
      ['getLink', 'tun0'],
      ['setLinkUp', 'tun0'],
      ['replaceRoute', { dst: '100.64.0.0/16', dev: 'tun0' }],
      ['replaceRoute', { dst: 'fd00:64::/64', dev: 'tun0' }],
      ['listRoutes'],
    ]);
    const tun = okValue(r[0]) as Link;
    assert.deepEqual({ up: tun.up, mac: tun.mac, carrier: tun.carrier }, { up: false, mac: null, carrier: false });
    r.slice(1, 4).forEach((x) => okValue(x));
    assert.match(ns.sh('ip route show dev tun0'), /^100\.64\.0\.0\/16 scope link linkdown/m);
    assert.match(ns.sh('ip -6 route show dev tun0'), /^fd00:64::\/64 metric 1024 linkdown/m);
    const onTun = (okValue(r[4]) as Route[]).filter((x) => x.dev === 'tun0').map((x) => `${x.dst} ${x.scope}`);
    assert.deepEqual(onTun, ['100.64.0.0/16 link', 'fd00:64::/64 global']);
  });
});
