import assert from 'node:assert/strict';
import { attr, u32 } from './wire-builders';
import { decodeTcpProgress, describeConnection, encodeTcpInfoRequest } from '../../src/netlink/tcp-diag';

describe('sock_diag TCP messages', () => {
  it('asks for one IPv4 connection by both ends, with its tcp_info and no cookie', () => {
    const request = encodeTcpInfoRequest({ local: { address: '10.200.0.10', port: 40000 }, remote: { address: '10.0.0.1', port: 1194 } });
    assert.equal(request.length, 56);
    assert.deepEqual([...request.subarray(0, 8)], [2, 6, 2, 0, 0xff, 0xff, 0xff, 0xff], 'AF_INET, TCP, INET_DIAG_INFO, all states');
    assert.deepEqual([...request.subarray(8, 12)], [0x9c, 0x40, 0x04, 0xaa], 'ports in network order, local first');
    assert.deepEqual([...request.subarray(12, 16)], [10, 200, 0, 10]);
    assert.deepEqual([...request.subarray(28, 32)], [10, 0, 0, 1]);
    assert.deepEqual([...request.subarray(44, 48)], [0, 0, 0, 0], 'any interface');
    assert.deepEqual([...request.subarray(48, 56)], Array<number>(8).fill(0xff), 'INET_DIAG_NOCOOKIE');
  });

  it('asks for an IPv6 connection with full addresses and refuses mixed families', () => {
    const request = encodeTcpInfoRequest({ local: { address: 'fd00::10', port: 1 }, remote: { address: 'fd00::1', port: 2 } });
    assert.equal(request[0], 10);
    assert.deepEqual([...request.subarray(12, 28)], [0xfd, 0, ...Array<number>(13).fill(0), 0x10]);
    assert.deepEqual([...request.subarray(28, 44)], [0xfd, 0, ...Array<number>(13).fill(0), 1]);
    assert.throws(
      () => encodeTcpInfoRequest({ local: { address: 'fd00::10', port: 1 }, remote: { address: '10.0.0.1', port: 2 } }),
      /TCP connection \[fd00::10\]:1 -> 10\.0\.0\.1:2: local and remote addresses of different families/,
    );
  });

  it('reads unacknowledged segments, time since the last ACK and the round trip from tcp_info', () => {
    const info = Buffer.alloc(104);
    info.writeUInt32LE(3, 24);
    info.writeUInt32LE(170, 56);
    info.writeUInt32LE(450, 68);
    const message = Buffer.concat([Buffer.alloc(72), attr(5, [0, 0, 0, 0]), attr(2, [...info])]);
    assert.deepEqual(decodeTcpProgress(message), { unacked: 3, lastAckAgeMs: 170, rttMs: 0.45 });
  });

  it('refuses a reply without tcp_info or shorter than inet_diag_msg', () => {
    assert.throws(() => decodeTcpProgress(Buffer.concat([Buffer.alloc(72), attr(5, u32(1))])), /inet_diag reply without tcp_info/);
    assert.throws(() => decodeTcpProgress(Buffer.alloc(20)), /inet_diag reply of 20 bytes, expected at least 72/);
  });

  it('describes a connection the way ss writes it', () => {
    assert.equal(
      describeConnection({ local: { address: 'fd00::10', port: 40000 }, remote: { address: '10.0.0.1', port: 1194 } }),
      '[fd00::10]:40000 -> 10.0.0.1:1194',
    );
  });
});
