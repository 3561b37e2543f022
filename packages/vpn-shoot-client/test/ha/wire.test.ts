import { strict as assert } from 'node:assert';
import { Ip } from '@vpn/common';
import { decodeAnnouncement, encodeAnnouncement, MAX_DATAGRAM_BYTES, randomId, type Announcement } from '../../src/ha/wire';
import { INSTANCE_A, NONCE } from './support/ids';

const announcement: Announcement = {
  pod: Ip.parse('10.200.0.10'),
  instance: INSTANCE_A,
  epoch: 3,
  seq: 1234,
  nonce: NONCE,
  role: 'active',
};

function datagram(fields: Record<string, unknown>): Buffer {
  return Buffer.from(
    JSON.stringify({ v: 2, pod: '10.200.0.10', inst: INSTANCE_A, epoch: 0, seq: 0, nonce: NONCE, role: 'standby', ...fields }),
  );
}

describe('ha wire format', () => {
  it('encodes the documented JSON object', () => {
    assert.equal(
      encodeAnnouncement(announcement).toString(),
      '{"v":2,"pod":"10.200.0.10","inst":"00000000000000a1","epoch":3,"seq":1234,"nonce":"000000000000c0de","role":"active"}',
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
    ['the first version', datagram({ v: 1 }), /unsupported version 1/],
    ['no pod', datagram({ pod: undefined }), /pod undefined is not an IP address/],
    ['a pod with a zone', datagram({ pod: 'fe80::1%eth0' }), /is not an IP address/],
    ['a CIDR as pod', datagram({ pod: '10.0.0.0/8' }), /is not an IP address/],
    ['an unknown role', datagram({ role: 'primary' }), /unknown role "primary"/],
    ['a fractional epoch', datagram({ epoch: 1.5 }), /epoch 1.5 is not a non-negative integer/],
    ['a negative seq', datagram({ seq: -1 }), /seq -1/],
    ['no instance', datagram({ inst: undefined }), /inst undefined is not 16 hex digits/],
    ['a numeric instance', datagram({ inst: 1764000000000 }), /inst 1764000000000 is not 16 hex digits/],
    ['an upper-case nonce', datagram({ nonce: '000000000000C0DE' }), /nonce "000000000000C0DE"/],
    ['a short nonce', datagram({ nonce: 'c0de' }), /nonce "c0de"/],
    ['an oversized datagram', datagram({ pad: 'x'.repeat(MAX_DATAGRAM_BYTES) }), /exceeds 512/],
  ];
  for (const [what, data, problem] of refused) {
    it(`refuses ${what}`, () => assert.throws(() => decodeAnnouncement(data), problem));
  }

  it('draws random identities of 64 bits in the documented form', () => {
    // More than one batch of the pool (512 ids), so that a refill is crossed.
    const drawn = new Set(Array.from({ length: 1500 }, () => randomId()));
    assert.equal(drawn.size, 1500);
    for (const id of drawn) assert.match(id, /^[0-9a-f]{16}$/);
  });
});
