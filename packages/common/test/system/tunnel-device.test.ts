import assert from 'node:assert/strict';
import type { InterfaceAddress, IpVersion } from '../../src/netlink';
import { LinkNotFoundError } from '../../src/netlink';
import { removeStaleTunnelAddresses } from '../../src/system/tunnel-device';

const address = (family: IpVersion, text: string, prefixLength: number): InterfaceAddress => ({
  linkIndex: 4,
  family,
  address: text,
  prefixLength,
  scope: text.startsWith('fe80') ? 'link' : 'global',
  flags: ['permanent'],
});

/** Records every call; `vanishAfter` makes the device disappear after that many calls. */
function fakeNetlink(device: string | null, addresses: InterfaceAddress[], vanishAfter = Infinity) {
  const calls: string[] = [];
  // The kernel's answer to a request, so a missing device fails the returned promise.
  const check = (dev: string): Promise<void> =>
    dev !== device || calls.length > vanishAfter ? Promise.reject(new LinkNotFoundError(dev)) : Promise.resolve();
  return {
    calls,
    listAddresses: async (filter: { dev?: string; family?: IpVersion } = {}): Promise<InterfaceAddress[]> => {
      calls.push(`list ${filter.dev} ${filter.family}`);
      await check(filter.dev ?? '');
      return addresses.filter((a) => filter.family === undefined || a.family === filter.family);
    },
    setLinkDown: (dev: string): Promise<void> => {
      calls.push(`down ${dev}`);
      return check(dev);
    },
    deleteAddress: async (spec: { dev: string; address: string }): Promise<boolean> => {
      calls.push(`delete ${spec.address}`);
      await check(spec.dev);
      return true;
    },
  };
}

describe('removeStaleTunnelAddresses', () => {
  it('sets the device down, then deletes every IPv6 address, link-local included', async () => {
    const netlink = fakeNetlink('tun0', [address(6, 'fd8f:6d53:b97a:1::1000', 96), address(4, '10.8.0.2', 24), address(6, 'fe80::1', 64)]);
    assert.deepEqual(await removeStaleTunnelAddresses(netlink, 'tun0'), ['fd8f:6d53:b97a:1::1000/96', 'fe80::1/64']);
    assert.deepEqual(netlink.calls, ['list tun0 6', 'down tun0', 'delete fd8f:6d53:b97a:1::1000/96', 'delete fe80::1/64']);
  });

  it('leaves a device without IPv6 addresses alone', async () => {
    const netlink = fakeNetlink('tap0', [address(4, '10.8.0.2', 24)]);
    assert.deepEqual(await removeStaleTunnelAddresses(netlink, 'tap0'), []);
    assert.deepEqual(netlink.calls, ['list tap0 6']);
  });

  it('succeeds when the device does not exist, or vanishes meanwhile (its addresses go with it)', async () => {
    assert.deepEqual(await removeStaleTunnelAddresses(fakeNetlink(null, []), 'tun0'), []);
    const vanishing = fakeNetlink('tun0', [address(6, 'fd00::1', 64)], 1);
    assert.deepEqual(await removeStaleTunnelAddresses(vanishing, 'tun0'), ['fd00::1/64']);
  });

  it('passes other failures on', async () => {
    const netlink = {
      ...fakeNetlink('tun0', [address(6, 'fd00::1', 64)]),
      setLinkDown: async () => Promise.reject(new Error('set link tun0 down: EPERM')),
    };
    await assert.rejects(removeStaleTunnelAddresses(netlink, 'tun0'), /EPERM/);
  });
});
