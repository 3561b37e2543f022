import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../../src/errors';
import { parseRealAddress, parseStatus, StatusFormatError } from '../../src/openvpn/status';
import { parseStatusFile } from '../../src/openvpn/status-file';

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/status');
const fixture = (name: string): string => path.join(FIXTURES, name);
const parseFixture = (name: string) => parseStatus(readFileSync(fixture(name), 'utf8'));

describe('openvpn status file', () => {
  it('parses an OpenVPN 2.6 non-HA file, times as UTC', () => {
    const status = parseFixture('openvpn26-nonha-ready.status');
    assert.match(status.title, /^OpenVPN 2\.6\.14 x86_64-pc-linux-gnu \[SSL \(OpenSSL\)\]/);
    assert.equal(status.updatedAt?.toISOString(), '2026-07-17T09:31:10.000Z');
    assert.equal(status.updatedAtTimeT, '1784280670');
    assert.deepEqual(status.clients, [
      {
        commonName: 'vpn-shoot-client',
        realAddress: { text: '100.64.3.32:41392', ip: '100.64.3.32', port: 41392 },
        virtualAddress: '',
        virtualIpv6: 'fd8f:6d53:b97a:1::1000',
        bytesReceived: 1234567n,
        bytesSent: 7654321n,
        connectedSince: new Date('2026-07-17T08:00:00Z'),
        connectedSinceTimeT: '1784275200',
        username: 'UNDEF',
        clientId: '3',
        peerId: '0',
        dataChannelCipher: 'AES-256-GCM',
      },
    ]);
    assert.deepEqual(
      status.routes.map((r) => [r.virtualAddress, r.commonName, r.realAddress.text, r.lastRef.toISOString(), r.lastRefTimeT]),
      [
        ['243.0.0.0/8', 'vpn-shoot-client', '100.64.3.32:41392', '2026-07-17T08:00:00.000Z', '1784275200'],
        ['242.0.140.197C', 'vpn-shoot-client', '100.64.3.32:41392', '2026-07-17T09:31:05.000Z', '1784280665'],
        ['fd8f:6d53:b97a:1::1000', 'vpn-shoot-client', '100.64.3.32:41392', '2026-07-17T09:31:08.000Z', '1784280668'],
      ],
    );
    assert.deepEqual(
      [...status.globalStats],
      [
        ['Max bcast/mcast queue length', '0'],
        ['dco_enabled', '0'],
      ],
    );
  });

  it('parses an OpenVPN 2.7 file with a tcp6-server: prefixed real address and no trailing newline', () => {
    const text = readFileSync(fixture('openvpn27-nonha-ready.status'), 'utf8');
    assert.ok(text.endsWith('END'));
    const status = parseStatus(text);
    assert.match(status.title, /^OpenVPN 2\.7\.0 /);
    assert.deepEqual(status.clients[0]?.realAddress, { text: 'tcp6-server:100.64.5.13:47764', ip: '100.64.5.13', port: 47764 });
    assert.deepEqual(
      status.routes.map((r) => r.realAddress.port),
      [47764, 47764],
    );
  });

  it('parses an HA (tap) file with bracketed and bare IPv6 real addresses and MAC routes', () => {
    const status = parseFixture('openvpn-ha-ready.status');
    assert.deepEqual(
      status.clients.map((c) => [c.commonName, c.realAddress.ip, c.realAddress.port, c.virtualIpv6]),
      [
        ['vpn-shoot-client-0', '100.64.5.13', 47764, 'fd8f:6d53:b97a:1::100:b00'],
        ['vpn-shoot-client-1', '100.64.5.14', 51000, 'fd8f:6d53:b97a:1::100:b01'],
        ['vpn-seed-client', 'fd43:7ff4:965a::4', 42124, 'fd8f:6d53:b97a:1::100:1001'],
        ['vpn-seed-client', 'fd00:10:1::2', 0, 'fd8f:6d53:b97a:1::100:1002'],
      ],
    );
    assert.deepEqual(
      status.routes.map((r) => r.virtualAddress),
      ['de:23:94:06:67:04@0', 'de:23:94:06:67:05@0', 'ae:10:00:00:00:01@0', 'ae:10:00:00:00:02@0'],
    );
  });

  it('parses a half-open UNDEF client (empty virtual addresses) and the rest of the file', () => {
    const status = parseFixture('openvpn-bad-client.status');
    assert.equal(status.clients.length, 2);
    const undef = status.clients[1];
    assert.equal(undef?.commonName, 'UNDEF');
    assert.equal(undef?.virtualAddress, '');
    assert.equal(undef?.virtualIpv6, null);
    assert.equal(undef?.bytesReceived, 0n);
    assert.equal(undef?.dataChannelCipher, 'BF-CBC');
    assert.equal(status.routes.length, 1);
  });

  it('tolerates CRLF, empty lines, commas in TITLE and GLOBAL_STATS, any HEADER, and a file without TIME', () => {
    const status = parseStatus('TITLE,a,b\r\n\r\nHEADER,WHATEVER\r\nGLOBAL_STATS,k,v1,v2\r\nEND\r\n');
    assert.equal(status.title, 'a,b');
    assert.equal(status.updatedAt, null);
    assert.equal(status.updatedAtTimeT, null);
    assert.equal(status.globalStats.get('k'), 'v1,v2');
  });

  it('reads a TIME line without its unix-time field and a route row without Last Ref (time_t)', () => {
    const status = parseStatus('TIME,2026-07-17 09:31:10\nROUTING_TABLE,243.0.0.0/8,c,1.2.3.4:5,2026-07-17 09:31:10\nEND');
    assert.equal(status.updatedAtTimeT, null);
    assert.equal(status.routes[0]?.lastRefTimeT, null);
  });

  it('keeps byte counters exact beyond 2^53, up to 2^64 - 1', () => {
    const row = (received: string, sent: string) =>
      `CLIENT_LIST,vpn-shoot-client,10.0.0.1:1,,,${received},${sent},2026-07-17 09:00:00,1784278800,UNDEF,0,0,AES-256-GCM\nEND`;
    const [client] = parseStatus(row('9007199254740993', '18446744073709551615')).clients;
    assert.equal(client?.bytesReceived, 9007199254740993n);
    assert.equal(client?.bytesSent, 18446744073709551615n);
    assert.throws(() => parseStatus(row('18446744073709551616', '0')), {
      message: 'CLIENT_LIST: invalid Bytes Received: "18446744073709551616"',
    });
  });

  describe('in-place rewrites: OpenVPN seeks to the start, writes, then truncates', () => {
    const complete = readFileSync(fixture('openvpn26-nonha-ready.status'), 'utf8');

    it('stops at END, ignoring what an unfinished rewrite left of the longer old content behind it', () => {
      const status = parseStatus(`${complete}\nCLIENT_LIST,vpn-sh\nTHIS IS,the old tail`);
      assert.deepEqual(status, parseStatus(complete));
    });

    it('refuses text cut short before END', () => {
      const cut = complete.slice(0, complete.indexOf('HEADER,ROUTING_TABLE'));
      assert.throws(() => parseStatus(cut), { name: 'StatusFormatError', message: 'truncated: no END line' });
    });

    it('refuses empty text by name', () => {
      assert.throws(() => parseStatus(''), { name: 'StatusFormatError', message: 'empty: OpenVPN has not written a status yet' });
    });
  });

  it('cuts a garbled line of megabytes out of its error message', () => {
    const line = `GARBAGE${'x'.repeat(4_000_000)}`;
    assert.throws(
      () => parseStatus(`${line}\nEND`),
      (err: Error) => {
        assert.equal(
          err.message,
          `unknown line type: ${line.slice(0, 512 - 'unknown line type: '.length)}... (${line.length + 19} characters)`,
        );
        return true;
      },
    );
  });

  describe('malformed files fail whole, with the reference error texts', () => {
    const cases: Array<[string, string]> = [
      ['bad-title.status', 'unknown line type: BAD_TITLE,OpenVPN 2.6.16 x86_64-pc-linux-gnu [SSL (OpenSSL)]'],
      ['end-of-file.status', 'unknown line type: END_OF_FILE'],
      ['bad-time.status', 'parsing time "BAD_TIMESTAMP" as "2006-01-02 15:04:05": cannot parse "BAD_TIMESTAMP"'],
      ['short-time.status', 'invalid TIME line: TIME'],
      [
        'short-client.status',
        'invalid CLIENT_LIST line: CLIENT_LIST,vpn-shoot-client,100.64.3.32:41392,,fd8f:6d53:b97a:1::1000,1234567,7654321',
      ],
      ['undef-real-address.status', "CLIENT_LIST: can't parse real client address: UNDEF (invalid address format: UNDEF)"],
      ['bad-bytes.status', 'CLIENT_LIST: invalid Bytes Received: "-1"'],
      ['bad-connected-since.status', 'parsing time "2026-07-17" as "2006-01-02 15:04:05": cannot parse "2026-07-17"'],
      ['short-route.status', 'invalid ROUTING_TABLE line: ROUTING_TABLE,243.0.0.0/8,vpn-shoot-client'],
      ['empty-route-real-address.status', `ROUTING_TABLE: can't parse real client address:  (unable to parse IP: "")`],
      ['short-global-stats.status', 'invalid GLOBAL_STATS line: GLOBAL_STATS'],
    ];
    for (const [file, message] of cases) {
      it(file, async () => {
        const p = fixture(`malformed/${file}`);
        assert.throws(
          () => parseStatus(readFileSync(p, 'utf8')),
          (err: unknown) => err instanceof StatusFormatError && err.message === message,
        );
        await assert.rejects(parseStatusFile(p), (err: unknown) => err instanceof InputError && err.message === `${p}: ${message}`);
      });
    }
  });

  it('rejects out-of-range times as Go does', () => {
    assert.throws(() => parseStatus('TIME,2026-13-01 00:00:00,0'), { message: 'parsing time "2026-13-01 00:00:00": month out of range' });
    assert.throws(() => parseStatus('TIME,2026-02-30 00:00:00,0'), { message: 'parsing time "2026-02-30 00:00:00": day out of range' });
    assert.throws(() => parseStatus('TIME,2026-02-01 24:00:00,0'), { message: 'parsing time "2026-02-01 24:00:00": hour out of range' });
  });

  describe('real address notation (2.6 and 2.7)', () => {
    const ok: Array<[string, string, number]> = [
      ['100.64.3.32:41392', '100.64.3.32', 41392],
      ['fd00:10:1::2', 'fd00:10:1::2', 0],
      ['udp6:[fd00:10:1::2]:18949', 'fd00:10:1::2', 18949],
      ['tcp6:[fd43:7ff4:965a::4]:42124', 'fd43:7ff4:965a::4', 42124],
      ['tcp6-server:100.64.5.13:47764', '100.64.5.13', 47764],
      ['tcp6-client:1.2.3.4', '1.2.3.4', 0],
      ['udp4:10.0.0.1:1194', '10.0.0.1', 1194],
      ['[fd00::1]', 'fd00::1', 0],
    ];
    for (const [text, ip, port] of ok) {
      it(`${text} -> ${ip} port ${port}`, () => assert.deepEqual(parseRealAddress(text), { text, ip, port }));
    }
    const bad: Array<[string, string]> = [
      ['', 'unable to parse IP: ""'],
      ['UNDEF', 'invalid address format: UNDEF'],
      ['sctp:1.2.3.4:5', 'invalid address format: sctp:1.2.3.4:5'],
      ['1.2.3.4:99999', 'unable to parse IP: "1.2.3.4:99999"'],
      ['udp6:[fd00::1]:70000', 'invalid port "70000" parsing "[fd00::1]:70000"'],
      ['01.2.3.4:5', 'unable to parse IP: "01.2.3.4:5"'],
    ];
    for (const [text, message] of bad) {
      it(`${JSON.stringify(text)} fails: ${message}`, () => assert.throws(() => parseRealAddress(text), { message }));
    }
  });
});
