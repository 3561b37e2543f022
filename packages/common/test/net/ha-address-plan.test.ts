import { strict as assert } from 'node:assert';
import { Cidr } from '../../src/net/cidr';
import { haPoolStart, haServerAddress, haServerPeerAddress, haServerSlice, haShootClientAddress } from '../../src/net/ha-address-plan';
import { DEFAULT_VPN_NETWORK } from '../../src/net/reserved';

describe('net: HA address plan (docs/ha.md)', () => {
  it('server slices are VPN_NETWORK + 01:0s:00:00/112', () => {
    assert.equal(haServerSlice(DEFAULT_VPN_NETWORK, 0).toString(), 'fd8f:6d53:b97a:1::100:0/112');
    assert.equal(haServerSlice(DEFAULT_VPN_NETWORK, 1).toString(), 'fd8f:6d53:b97a:1::101:0/112');
    assert.equal(haServerSlice(DEFAULT_VPN_NETWORK, 2).toString(), 'fd8f:6d53:b97a:1::102:0/112');
    assert.equal(haServerSlice(Cidr.parse('2001:db8::/96'), 1).toString(), '2001:db8::101:0/112');
  });

  it('fixed addresses inside a slice', () => {
    assert.equal(haServerAddress(DEFAULT_VPN_NETWORK, 1).toString(), 'fd8f:6d53:b97a:1::101:1');
    assert.equal(haServerPeerAddress(DEFAULT_VPN_NETWORK, 1).toString(), 'fd8f:6d53:b97a:1::101:2');
    assert.equal(haShootClientAddress(DEFAULT_VPN_NETWORK, 0, 0).toString(), 'fd8f:6d53:b97a:1::100:b00');
    assert.equal(haShootClientAddress(DEFAULT_VPN_NETWORK, 2, 1).toString(), 'fd8f:6d53:b97a:1::102:b01');
    assert.equal(haPoolStart(DEFAULT_VPN_NETWORK, 0).toString(), 'fd8f:6d53:b97a:1::100:1000');
  });

  it('every fixed address lies in its slice, the shoot clients below the pool', () => {
    const slice = haServerSlice(DEFAULT_VPN_NETWORK, 2);
    const lastShootClient = haShootClientAddress(DEFAULT_VPN_NETWORK, 2, 255);
    assert.ok(slice.contains(haServerAddress(DEFAULT_VPN_NETWORK, 2)));
    assert.ok(slice.contains(lastShootClient));
    assert.ok(slice.contains(haPoolStart(DEFAULT_VPN_NETWORK, 2)));
    assert.ok(lastShootClient.value < haPoolStart(DEFAULT_VPN_NETWORK, 2).value);
  });

  it('refuses a VPN network that is not an IPv6 /96 and out-of-range indexes', () => {
    assert.throws(() => haServerSlice(Cidr.parse('fd00::/64'), 0), /IPv6 \/96/);
    assert.throws(() => haServerSlice(Cidr.parse('10.0.0.0/8'), 0), /IPv6 \/96/);
    assert.throws(() => haServerSlice(DEFAULT_VPN_NETWORK, 256), /server index/);
    assert.throws(() => haShootClientAddress(DEFAULT_VPN_NETWORK, 0, -1), /shoot client index/);
  });
});
