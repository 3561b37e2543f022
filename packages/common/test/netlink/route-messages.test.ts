import assert from 'node:assert/strict';
import { attr, u32 } from './wire-builders';
import {
  decodeRouteMessage,
  encodeRouteDelete,
  encodeRouteDumpRequest,
  encodeRouteReplace,
  encodeViaPayload,
} from '../../src/netlink/route-messages';
import { addressBytes } from '../../src/netlink/ip-bytes';

/** rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type, flags u32. */
const rtmsg = (family: number, dstLen: number, table: number, protocol: number, scope: number, type: number): number[] => [
  family,
  dstLen,
  0,
  0,
  table,
  protocol,
  scope,
  type,
  0,
  0,
  0,
  0,
];

/** rtnexthop: len u16, flags u8, hops u8, ifindex s32, then its attributes. */
function rtnexthop(ifindex: number, hops: number, attrs: Buffer): Buffer {
  const head = Buffer.from([0, 0, 0, hops, ...u32(ifindex)]);
  head.writeUInt16LE(8 + attrs.length, 0);
  return Buffer.concat([head, attrs]);
}

const FD_B00 = [0xfd, 0x8f, 0x6d, 0x53, 0xb9, 0x7a, 0, 1, 0, 0, 0, 0, 0x01, 0x00, 0x0b, 0x00]; // fd8f:6d53:b97a:1::100:b00
const FD_B01 = [0xfd, 0x8f, 0x6d, 0x53, 0xb9, 0x7a, 0, 1, 0, 0, 0, 0, 0x01, 0x01, 0x0b, 0x00]; // fd8f:6d53:b97a:1::101:b00

describe('netlink route messages', () => {
  describe('RTA_VIA encoding', () => {
    it('is a u16 address family (AF_INET6 = 10, host order) followed by the 16 address bytes', () => {
      const payload = encodeViaPayload(addressBytes('fd8f:6d53:b97a:1::100:b00'));
      assert.deepEqual([...payload], [10, 0, ...FD_B00]);
    });

    it('encodes an IPv4 route via an IPv6 next hop as RTA_OIF plus RTA_VIA (type 18)', () => {
      const body = encodeRouteReplace('100.64.0.0/16', [{ ifindex: 7, via: 'fd8f:6d53:b97a:1::100:b00' }]);
      const expected = Buffer.concat([
        Buffer.from(rtmsg(2, 16, 254, 3, 0, 1)),
        attr(1, [100, 64, 0, 0]),
        attr(4, u32(7)),
        attr(18, [10, 0, ...FD_B00]),
      ]);
      assert.deepEqual(body, expected);
      assert.equal(expected.length, 12 + 8 + 8 + 24, 'RTA_VIA is 22 bytes long, padded to 24');
      assert.equal(expected.readUInt16LE(28), 22);
    });

    it('uses RTA_GATEWAY for a next hop of the route family', () => {
      const body = encodeRouteReplace('fd00:64::/64', [{ ifindex: 3, via: 'fd8f:6d53:b97a:1::100:b00' }]);
      const dst = [0xfd, 0, 0, 0x64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
      assert.deepEqual(body, Buffer.concat([Buffer.from(rtmsg(10, 64, 254, 3, 0, 1)), attr(1, dst), attr(4, u32(3)), attr(5, FD_B00)]));
    });

    it('gives an IPv4 route straight onto a device scope link, as ip route does', () => {
      const body = encodeRouteReplace('242.0.0.0/8', [{ ifindex: 4 }]);
      assert.deepEqual(body, Buffer.concat([Buffer.from(rtmsg(2, 8, 254, 3, 253, 1)), attr(1, [242, 0, 0, 0]), attr(4, u32(4))]));
    });

    it("marks the route with the caller's protocol number when given", () => {
      const body = encodeRouteReplace('242.0.0.0/8', [{ ifindex: 4 }], 118);
      assert.deepEqual(body, Buffer.concat([Buffer.from(rtmsg(2, 8, 254, 118, 253, 1)), attr(1, [242, 0, 0, 0]), attr(4, u32(4))]));
    });

    it('encodes several next hops as RTA_MULTIPATH of rtnexthop entries', () => {
      const body = encodeRouteReplace('10.0.0.0/8', [
        { ifindex: 5, via: 'fd8f:6d53:b97a:1::100:b00' },
        { ifindex: 6, via: 'fd8f:6d53:b97a:1::101:b00' },
      ]);
      const multipath = Buffer.concat([rtnexthop(5, 0, attr(18, [10, 0, ...FD_B00])), rtnexthop(6, 0, attr(18, [10, 0, ...FD_B01]))]);
      assert.deepEqual(body, Buffer.concat([Buffer.from(rtmsg(2, 8, 254, 3, 0, 1)), attr(1, [10, 0, 0, 0]), attr(9, multipath)]));
    });

    it('rejects what the kernel would reject with an unhelpful EINVAL', () => {
      assert.throws(
        () => encodeRouteReplace('fd00::/64', [{ ifindex: 1, via: '10.0.0.1' }]),
        /IPv6 route cannot have the IPv4 next hop 10\.0\.0\.1/,
      );
      assert.throws(() => encodeRouteReplace('10.1.2.3/8', [{ ifindex: 1 }]), /10\.1\.2\.3\/8 has host bits set/);
      assert.throws(() => encodeRouteReplace('10.0.0.0/8', []), /no next hop/);
      assert.throws(() => encodeRouteReplace('10.0.0.0/33', [{ ifindex: 1 }]), /bad prefix length/);
      assert.throws(
        () => encodeRouteReplace('10.0.0.0/8', [{ ifindex: 1, via: 'gateway.example' }]),
        /invalid IP address "gateway.example"/,
      );
    });
  });

  it('builds a delete matching any scope, type and (unless given) protocol of the main table', () => {
    assert.deepEqual(
      encodeRouteDelete('10.0.0.0/8', 9),
      Buffer.concat([Buffer.from(rtmsg(2, 8, 254, 0, 255, 0)), attr(1, [10, 0, 0, 0]), attr(4, u32(9))]),
    );
    assert.deepEqual(
      encodeRouteDelete('10.0.0.0/8', 9, 118),
      Buffer.concat([Buffer.from(rtmsg(2, 8, 254, 118, 255, 0)), attr(1, [10, 0, 0, 0]), attr(4, u32(9))]),
    );
    assert.deepEqual(encodeRouteDumpRequest(), Buffer.alloc(12));
    assert.equal(encodeRouteDumpRequest(6)[0], 10);
  });

  describe('parser', () => {
    it('reads an IPv4 route via an IPv6 next hop (the one npm netlink cannot parse)', () => {
      const msg = Buffer.concat([
        Buffer.from(rtmsg(2, 16, 254, 3, 0, 1)),
        attr(15, u32(254)),
        attr(1, [100, 64, 0, 0]),
        attr(4, u32(7)),
        attr(18, [10, 0, ...FD_B00]),
      ]);
      assert.deepEqual(decodeRouteMessage(msg), {
        table: 254,
        route: {
          family: 4,
          dst: '100.64.0.0/16',
          kind: 'unicast',
          protocol: 'boot',
          scope: 'global',
          metric: 0,
          oif: 7,
          via: { family: 6, address: 'fd8f:6d53:b97a:1::100:b00' },
        },
      });
    });

    it('reads a default route without RTA_DST, with gateway and metric', () => {
      const msg = Buffer.concat([Buffer.from(rtmsg(10, 0, 254, 9, 0, 1)), attr(6, u32(1024)), attr(4, u32(2)), attr(5, FD_B00)]);
      assert.deepEqual(decodeRouteMessage(msg)?.route, {
        family: 6,
        dst: '::/0',
        kind: 'unicast',
        protocol: 'ra',
        scope: 'global',
        metric: 1024,
        oif: 2,
        gateway: 'fd8f:6d53:b97a:1::100:b00',
      });
    });

    it('reads multipath next hops with via, gateway and weight', () => {
      const multipath = Buffer.concat([
        rtnexthop(5, 0, attr(18, [10, 0, ...FD_B00])),
        rtnexthop(6, 2, attr(18, [10, 0, ...FD_B01])),
        rtnexthop(8, 0, attr(5, [192, 0, 2, 1])),
      ]);
      const msg = Buffer.concat([Buffer.from(rtmsg(2, 8, 254, 3, 0, 1)), attr(1, [10, 0, 0, 0]), attr(9, multipath)]);
      assert.deepEqual(decodeRouteMessage(msg)?.route.nexthops, [
        { oif: 5, via: { family: 6, address: 'fd8f:6d53:b97a:1::100:b00' }, weight: 1 },
        { oif: 6, via: { family: 6, address: 'fd8f:6d53:b97a:1::101:b00' }, weight: 3 },
        { oif: 8, gateway: '192.0.2.1', weight: 1 },
      ]);
    });

    it('reads what the encoder writes', () => {
      const hops = [
        { ifindex: 5, via: 'fd8f:6d53:b97a:1::100:b00' },
        { ifindex: 6, via: 'fd8f:6d53:b97a:1::101:b00' },
      ];
      const route = decodeRouteMessage(encodeRouteReplace('10.0.0.0/8', hops))?.route;
      assert.equal(route?.dst, '10.0.0.0/8');
      assert.deepEqual(
        route?.nexthops?.map((h) => [h.oif, h.via?.address]),
        hops.map((h) => [h.ifindex, h.via]),
      );
    });

    it('takes the table from RTA_TABLE, which overrides the u8 field for ids above 255', () => {
      const msg = Buffer.concat([Buffer.from(rtmsg(2, 8, 252, 3, 0, 1)), attr(15, u32(1000)), attr(1, [10, 0, 0, 0])]);
      assert.equal(decodeRouteMessage(msg)?.table, 1000);
    });

    it('keeps unknown kinds, protocols and scopes as numbers, and skips unknown attributes', () => {
      const msg = Buffer.concat([
        Buffer.from(rtmsg(2, 32, 254, 42, 17, 99)),
        attr(1, [10, 0, 0, 1]),
        attr(0x8000 | 30, u32(1)),
        attr(25, [0, 0]),
      ]);
      const route = decodeRouteMessage(msg)?.route;
      assert.equal(route?.kind, 99);
      assert.equal(route?.protocol, 42);
      assert.equal(route?.scope, 17);
    });

    it('ignores routes of other families and routes via non-IP families (MPLS)', () => {
      assert.equal(decodeRouteMessage(Buffer.from(rtmsg(128, 0, 253, 0, 0, 1))), null);
      const mplsVia = Buffer.concat([Buffer.from(rtmsg(2, 8, 254, 3, 0, 1)), attr(1, [10, 0, 0, 0]), attr(18, [28, 0, 0, 0, 0x10, 0])]);
      assert.equal(decodeRouteMessage(mplsVia), null);
    });

    it('rejects truncated messages instead of misreading them', () => {
      assert.throws(() => decodeRouteMessage(Buffer.from([2, 8, 0])), /route message of 3 bytes/);
      const badLength = Buffer.concat([Buffer.from(rtmsg(2, 8, 254, 3, 0, 1)), Buffer.from([40, 0, 1, 0, 10, 0, 0, 0])]);
      assert.throws(() => decodeRouteMessage(badLength), /malformed netlink attribute/);
      const shortVia = Buffer.concat([Buffer.from(rtmsg(2, 8, 254, 3, 0, 1)), attr(18, [10, 0, 0xfd, 0])]);
      assert.throws(() => decodeRouteMessage(shortVia), /RTA_VIA for IPv6 carries 2 address bytes/);
    });
  });
});
