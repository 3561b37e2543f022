import assert from 'node:assert/strict';
import { attr, u32 } from './wire-builders';
import { decodeAttributes } from '../../src/netlink/attributes';
import { decodeAddressMessage, encodeAddressChange, encodeAddressDumpRequest } from '../../src/netlink/address-messages';
import { decodeLinkMessage, encodeLinkQuery, encodeLinkSetUp } from '../../src/netlink/link-messages';
import { encodeNeighbourDelete } from '../../src/netlink/neighbour-messages';
import { nextHopAddress } from '../../src/netlink/types';

const cstring = (s: string): Buffer => Buffer.from(`${s}\0`);
const FD00_1 = [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];

describe('netlink attributes', () => {
  it('walks padded attributes, masks the NESTED flag and keeps the first of a repeated type', () => {
    const attrs = decodeAttributes(Buffer.concat([attr(3, cstring('tap0')), attr(0x8000 | 9, [1, 2]), attr(3, cstring('x'))]));
    assert.deepEqual([...attrs.keys()], [3, 9]);
    assert.equal(attrs.get(3)?.toString(), 'tap0\0');
    assert.deepEqual([...(attrs.get(9) ?? [])], [1, 2]);
  });

  it('rejects an attribute longer than the message', () => {
    assert.throws(() => decodeAttributes(Buffer.from([12, 0, 1, 0, 0, 0, 0, 0])), /malformed netlink attribute at offset 0/);
  });
});

describe('netlink link messages', () => {
  /** ifinfomsg: family, pad, type u16, index s32, flags u32, change u32. */
  const ifinfomsg = (index: number, flags: number): Buffer => Buffer.from([0, 0, 1, 0, ...u32(index), ...u32(flags), ...u32(0)]);

  it('reads index, name, admin state, carrier, MTU and MAC', () => {
    const msg = Buffer.concat([ifinfomsg(5, 0x1 | 0x10000), attr(3, cstring('tap0')), attr(4, u32(1370)), attr(1, [2, 0xab, 0, 0, 0, 1])]);
    assert.deepEqual(decodeLinkMessage(msg), { index: 5, name: 'tap0', up: true, carrier: true, mtu: 1370, mac: '02:ab:00:00:00:01' });
  });

  it('reports no MAC for a layer-3 device and no carrier for a tap whose OpenVPN is gone', () => {
    const msg = Buffer.concat([ifinfomsg(2, 0x1), attr(3, cstring('tun0')), attr(4, u32(1500))]);
    assert.deepEqual(decodeLinkMessage(msg), { index: 2, name: 'tun0', up: true, carrier: false, mtu: 1500, mac: null });
  });

  it('changes only IFF_UP of a link addressed by name', () => {
    const header = (flags: number): number[] => [0, 0, 0, 0, ...u32(0), ...u32(flags), ...u32(0x1)];
    assert.deepEqual(encodeLinkSetUp('tap1', false), Buffer.concat([Buffer.from(header(0)), attr(3, cstring('tap1'))]));
    assert.deepEqual(encodeLinkSetUp('tap1', true), Buffer.concat([Buffer.from(header(0x1)), attr(3, cstring('tap1'))]));
  });

  it('queries a link by name or by index', () => {
    assert.deepEqual(decodeAttributes(encodeLinkQuery({ name: 'eth0' }).subarray(16)).get(3), cstring('eth0'));
    assert.equal(encodeLinkQuery({ index: 7 }).readInt32LE(4), 7);
    assert.equal(encodeLinkQuery({ index: 7 }).length, 16);
  });
});

describe('netlink address messages', () => {
  /** ifaddrmsg: family, prefixlen, flags, scope, index u32. */
  const ifaddrmsg = (family: number, prefixLength: number, flags: number, scope: number, index: number): Buffer =>
    Buffer.from([family, prefixLength, flags, scope, ...u32(index)]);

  it('adds an IPv6 address with IFA_F_NODAD in the u8 field and in IFA_FLAGS', () => {
    assert.deepEqual(
      encodeAddressChange(4, 'fd00::1/64', { nodad: true }),
      Buffer.concat([ifaddrmsg(10, 64, 0x02, 0, 4), attr(2, FD00_1), attr(1, FD00_1), attr(8, u32(0x02))]),
    );
  });

  it('adds or deletes without flags when DAD is wanted', () => {
    assert.deepEqual(
      encodeAddressChange(3, '192.0.2.1/24'),
      Buffer.concat([ifaddrmsg(2, 24, 0, 0, 3), attr(2, [192, 0, 2, 1]), attr(1, [192, 0, 2, 1])]),
    );
    assert.deepEqual(encodeAddressDumpRequest(6), ifaddrmsg(10, 0, 0, 0, 0));
  });

  it('reads address, prefix, scope and the u32 IFA_FLAGS (which win over the u8 field)', () => {
    const msg = Buffer.concat([ifaddrmsg(10, 64, 0x80, 0, 4), attr(1, FD00_1), attr(8, u32(0x02 | 0x40 | 0x80 | 0x800))]);
    assert.deepEqual(decodeAddressMessage(msg), {
      linkIndex: 4,
      family: 6,
      address: 'fd00::1',
      prefixLength: 64,
      scope: 'global',
      flags: ['nodad', 'tentative', 'permanent', 'stable-privacy'],
    });
  });

  it('prefers IFA_LOCAL (the own address) over IFA_ADDRESS (the peer on a point-to-point link)', () => {
    const msg = Buffer.concat([ifaddrmsg(2, 32, 0x80, 253, 9), attr(1, [10, 0, 0, 2]), attr(2, [10, 0, 0, 1])]);
    const address = decodeAddressMessage(msg);
    assert.equal(address?.address, '10.0.0.1');
    assert.equal(address?.scope, 'link');
    assert.deepEqual(address?.flags, ['permanent']);
  });

  it('ignores families other than IPv4 and IPv6', () => {
    assert.equal(decodeAddressMessage(ifaddrmsg(17, 0, 0, 0, 1)), null);
  });
});

describe('netlink neighbour messages', () => {
  it('deletes the entry of an IPv6 address on one link', () => {
    assert.deepEqual(
      encodeNeighbourDelete(6, 'fd00::1'),
      Buffer.concat([Buffer.from([10, 0, 0, 0, ...u32(6), 0, 0, 0, 0]), attr(1, FD00_1)]),
    );
  });
});

describe('nextHopAddress', () => {
  it('is the gateway or the via address, whichever the kernel reported', () => {
    assert.equal(nextHopAddress({ gateway: 'fd00::1' }), 'fd00::1');
    assert.equal(nextHopAddress({ via: { family: 6, address: 'fd00::2' } }), 'fd00::2');
    assert.equal(nextHopAddress({}), undefined);
  });
});
