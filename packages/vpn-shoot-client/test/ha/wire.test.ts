import { strict as assert } from 'node:assert';
import { Ip } from '@vpn/common';
import { compareOrder, decodeAnnouncement, encodeAnnouncement, MAX_DATAGRAM_BYTES, type Announcement } from '../../src/ha/wire';

const announcement: Announcement = { pod: Ip.parse('10.200.0.10'), boot: 1764000000000, epoch: 3, seq: 1234, role: 'active' };

function datagram(fields: Record<string, unknown>): Buffer {
  return Buffer.from(JSON.stringify({ v: 1, pod: '10.200.0.10', boot: 1, epoch: 0, seq: 0, role: 'standby', ...fields }));
}

describe('ha wire format', () => {
  it('encodes the documented JSON object', () => {
    assert.equal(
      encodeAnnouncement(announcement).toString(),
      '{"v":1,"pod":"10.200.0.10","boot":1764000000000,"epoch":3,"seq":1234,"role":"active"}',
    );
  });

  it('decodes what it encodes, IPv4 and IPv6 pods alike', () => {
    for (const pod of ['10.200.0.10', '241.0.3.7', 'fd00:10:200::a']) {
      const decoded = decodeAnnouncement(encodeAnnouncement({ ...announcement, pod: Ip.parse(pod), role: 'down' }));
      assert.equal(decoded.pod.toString(), pod);
      assert.deepEqual({ ...decoded, pod: undefined }, { ...announcement, pod: undefined, role: 'down' });
    }
  });

  it('ignores unknown fields', () => {
    assert.equal(decodeAnnouncement(datagram({ extra: [1, 2] })).role, 'standby');
  });

  const refused: [string, Buffer, RegExp][] = [
    ['not JSON', Buffer.from('10.200.0.10'), /not JSON/],
    ['an array', Buffer.from('[1]'), /not a JSON object/],
    ['another version', datagram({ v: 2 }), /unsupported version 2/],
    ['no pod', datagram({ pod: undefined }), /pod undefined is not an IP address/],
    ['a pod with a zone', datagram({ pod: 'fe80::1%eth0' }), /is not an IP address/],
    ['a CIDR as pod', datagram({ pod: '10.0.0.0/8' }), /is not an IP address/],
    ['an unknown role', datagram({ role: 'primary' }), /unknown role "primary"/],
    ['a fractional epoch', datagram({ epoch: 1.5 }), /epoch 1.5 is not a non-negative integer/],
    ['a negative seq', datagram({ seq: -1 }), /seq -1/],
    ['a string boot', datagram({ boot: '1' }), /boot "1"/],
    ['boot 0', datagram({ boot: 0 }), /boot must be positive/],
    ['an oversized datagram', datagram({ pad: 'x'.repeat(MAX_DATAGRAM_BYTES) }), /exceeds 512/],
  ];
  for (const [what, data, problem] of refused) {
    it(`refuses ${what}`, () => assert.throws(() => decodeAnnouncement(data), problem));
  }

  it('orders by boot, then epoch', () => {
    assert.ok(compareOrder({ boot: 2, epoch: 0 }, { boot: 1, epoch: 9 }) > 0);
    assert.ok(compareOrder({ boot: 1, epoch: 4 }, { boot: 1, epoch: 5 }) < 0);
    assert.equal(compareOrder({ boot: 1, epoch: 4 }, { boot: 1, epoch: 4 }), 0);
  });
});
