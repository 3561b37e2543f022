import { strict as assert } from 'node:assert';
import { connectRequest, MAX_RESPONSE_HEAD_BYTES, parseConnectResponse } from '../../src/relay/http-connect';

const TARGET = {
  endpoint: 'api.bar.foo.example.com',
  serverPort: 1194,
  headerKey: 'Reversed-VPN',
  headerValue: 'outbound|1194||vpn-seed-server.shoot--foo--bar.svc.cluster.local',
};

describe('connect relay: the CONNECT request', () => {
  it('is what OpenVPN 2.6 sends for http-proxy with CUSTOM-HEADER: request line, custom header, Host, CRLF', () => {
    // Captured from openvpn 2.6.14 by the integration test in e2e/scenarios/connect-relay.test.ts.
    assert.equal(
      connectRequest(TARGET).toString('latin1'),
      'CONNECT api.bar.foo.example.com:1194 HTTP/1.0\r\n' +
        'Reversed-VPN: outbound|1194||vpn-seed-server.shoot--foo--bar.svc.cluster.local\r\n' +
        'Host: api.bar.foo.example.com\r\n' +
        '\r\n',
    );
  });

  it('sends no second Host when the custom header is Host, as OpenVPN', () => {
    assert.equal(
      connectRequest({ ...TARGET, headerKey: 'host', headerValue: 'elsewhere' }).toString('latin1'),
      'CONNECT api.bar.foo.example.com:1194 HTTP/1.0\r\nhost: elsewhere\r\n\r\n',
    );
  });

  it('refuses values that would add lines to the request, naming the variable', () => {
    assert.throws(
      () => connectRequest({ ...TARGET, headerValue: 'a\r\nX-Injected: 1' }),
      /^Error: REVERSED_VPN_HEADER: contains a line break/,
    );
    assert.throws(() => connectRequest({ ...TARGET, headerKey: 'K\n' }), /^Error: REVERSED_VPN_HEADER_KEY: /);
    assert.throws(() => connectRequest({ ...TARGET, endpoint: 'a\0b' }), /^Error: ENDPOINT: /);
  });
});

describe('connect relay: the ingress response', () => {
  const parse = (text: string): ReturnType<typeof parseConnectResponse> => parseConnectResponse(Buffer.from(text, 'latin1'));

  it('is established on 200 with the bytes after the head kept for OpenVPN', () => {
    const r = parseConnectResponse(
      Buffer.concat([Buffer.from('HTTP/1.1 200 Connection established\r\n\r\n'), Buffer.from([0x00, 0x2a, 0x38])]),
    );
    assert.equal(r.kind, 'established');
    assert.deepEqual(r.kind === 'established' && [...r.rest], [0x00, 0x2a, 0x38]);
  });

  it('reads headers up to the empty line, with CRLF or bare LF', () => {
    const r = parse('HTTP/1.1 200 OK\r\ndate: Mon, 23 Nov 2026 23:51:17 GMT\r\nserver: istio-envoy\r\n\r\nX');
    assert.deepEqual(r.kind === 'established' && r.rest.toString(), 'X');
    assert.equal(parse('HTTP/1.0 200\n\n').kind, 'established');
  });

  it('waits for a head split over packets, however it is cut', () => {
    const text = 'HTTP/1.1 200 OK\r\nserver: istio-envoy\r\n\r\n';
    for (let cut = 0; cut < text.length; cut++) assert.equal(parse(text.slice(0, cut)).kind, 'incomplete', `cut at ${cut}`);
    assert.equal(parse(text).kind, 'established');
  });

  it('is refused on any other status, carrying the status line for the log', () => {
    assert.deepEqual(parse('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n'), {
      kind: 'refused',
      statusLine: 'HTTP/1.1 403 Forbidden',
    });
    assert.deepEqual(parse('HTTP/1.1 503\r\n\r\n'), { kind: 'refused', statusLine: 'HTTP/1.1 503' });
    assert.deepEqual(parse('HTTP/1.1 2000 OK\r\n\r\n'), { kind: 'refused', statusLine: 'HTTP/1.1 2000 OK' });
  });

  it('is invalid without a status code, or when the head does not end', () => {
    assert.equal(parse('hello\r\n\r\n').kind, 'invalid');
    assert.equal(parse('SSH-2.0-OpenSSH\r\n\r\n').kind, 'invalid');
    assert.equal(parse(`HTTP/1.1 200 OK\r\nx: ${'y'.repeat(MAX_RESPONSE_HEAD_BYTES)}`).kind, 'invalid');
  });
});
