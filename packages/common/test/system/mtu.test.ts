import assert from 'node:assert/strict';
import type { Link, Route } from '../../src/netlink';
import { detectTunnelMtu, tunnelMtu } from '../../src/system/mtu';

const route = (dst: string, extra: Partial<Route> = {}): Route => ({
  family: dst.includes(':') ? 6 : 4,
  dst,
  kind: 'unicast',
  protocol: 'boot',
  scope: 'global',
  metric: 0,
  ...extra,
});

const link = (index: number, mtu: number): Link => ({ index, name: `eth${index}`, up: true, carrier: true, mtu, mac: null });

function fakeNetlink(routes: Route[] | Error, links: Link[] | Error = []) {
  return {
    listRoutes: (): Promise<Route[]> => (routes instanceof Error ? Promise.reject(routes) : Promise.resolve(routes)),
    getLinkByIndex: (index: number): Promise<Link | undefined> =>
      links instanceof Error ? Promise.reject(links) : Promise.resolve(links.find((l) => l.index === index)),
  };
}

describe('tunnel MTU', () => {
  it('is the default route MTU minus 130, at least 1280 (the IPv6 minimum)', () => {
    assert.equal(tunnelMtu(1500), 1370);
    assert.equal(tunnelMtu(8930), 8800);
    assert.equal(tunnelMtu(9000), 8870);
    assert.equal(tunnelMtu(1411), 1281);
    assert.equal(tunnelMtu(1410), 1280);
    assert.equal(tunnelMtu(1400), 1280);
    assert.equal(tunnelMtu(576), 1280);
  });

  describe('detection', () => {
    it('takes the device of the first default route, IPv4 or IPv6, in listing order', async () => {
      const routes = [route('10.0.0.0/8', { oif: 1 }), route('::/0', { oif: 3 }), route('0.0.0.0/0', { oif: 2 })];
      assert.equal(await detectTunnelMtu(fakeNetlink(routes, [link(1, 1500), link(2, 1450), link(3, 9000)])), 8870);
    });

    it('follows the first next hop of a multipath default route', async () => {
      const routes = [
        route('0.0.0.0/0', {
          nexthops: [
            { oif: 4, weight: 1 },
            { oif: 5, weight: 1 },
          ],
        }),
      ];
      assert.equal(await detectTunnelMtu(fakeNetlink(routes, [link(4, 1500), link(5, 9000)])), 1370);
    });

    it('fails with the reference messages', async () => {
      await assert.rejects(detectTunnelMtu(fakeNetlink([route('10.0.0.0/8', { oif: 1 })])), {
        message: 'failed to detect tunnel MTU: failed to find default route',
      });
      await assert.rejects(detectTunnelMtu(fakeNetlink([route('0.0.0.0/0', { oif: 7 })], [link(1, 1500)])), {
        message: 'failed to detect tunnel MTU: failed to find default route interface: no link with index 7',
      });
      await assert.rejects(detectTunnelMtu(fakeNetlink([route('0.0.0.0/0', { kind: 'blackhole' })])), {
        message: 'failed to detect tunnel MTU: failed to find default route interface: route 0.0.0.0/0 has no device',
      });
      await assert.rejects(detectTunnelMtu(fakeNetlink([route('0.0.0.0/0', { oif: 1 })], new Error('get link #1: timeout'))), {
        message: 'failed to detect tunnel MTU: failed to find default route interface: get link #1: timeout',
      });
      await assert.rejects(detectTunnelMtu(fakeNetlink(new Error('list routes: EPERM'))), {
        message: 'failed to detect tunnel MTU: failed to list routes: list routes: EPERM',
      });
    });
  });
});
