/**
 * The HTTP CONNECT exchange of the connect relay, byte for byte as OpenVPN 2.6's `http-proxy` client does
 * it (`src/openvpn/proxy.c`), so that the ingress cannot tell the two apart: the request line with HTTP/1.0,
 * the custom header, then `Host` (left out when the custom header is itself `Host`), each ending in CRLF,
 * and an empty line.
 */
export interface ConnectTarget {
  /** ENDPOINT: OpenVPN's `remote` host, which it names in the request line and in `Host`. */
  endpoint: string;
  /** The OpenVPN server port behind the ingress: 1194, as `remote <ENDPOINT>` without a port meant. */
  serverPort: number;
  headerKey: string;
  headerValue: string;
}

export const OPENVPN_SERVER_PORT = 1194;

/** Larger response heads are refused: an ingress answers a CONNECT with a status line and a few headers. */
export const MAX_RESPONSE_HEAD_BYTES = 16 * 1024;

export function connectRequest(t: ConnectTarget): Buffer {
  for (const [name, value] of [
    ['ENDPOINT', t.endpoint],
    ['REVERSED_VPN_HEADER_KEY', t.headerKey],
    ['REVERSED_VPN_HEADER', t.headerValue],
  ]) {
    // A line break would let the value add headers or end the request early.
    if (/[\r\n\0]/.test(value)) throw new Error(`${name}: contains a line break or NUL: ${JSON.stringify(value)}`);
  }
  const lines = [`CONNECT ${t.endpoint}:${t.serverPort} HTTP/1.0`, `${t.headerKey}: ${t.headerValue}`];
  if (t.headerKey.toLowerCase() !== 'host') lines.push(`Host: ${t.endpoint}`);
  return Buffer.from(lines.map((l) => `${l}\r\n`).join('') + '\r\n', 'latin1');
}

export type ConnectResponse =
  | { kind: 'incomplete' }
  /** `rest`: the bytes after the head, already the OpenVPN server's. */
  | { kind: 'established'; rest: Buffer }
  | { kind: 'refused'; statusLine: string }
  | { kind: 'invalid'; reason: string };

/**
 * Judges what the ingress sent so far. The head ends at the first empty line; like OpenVPN, the second
 * token of the status line must be 200, whatever the protocol token and the reason.
 */
export function parseConnectResponse(received: Buffer): ConnectResponse {
  const end = headEnd(received);
  if (end === undefined) {
    return received.length > MAX_RESPONSE_HEAD_BYTES
      ? { kind: 'invalid', reason: `no end of the response head within ${MAX_RESPONSE_HEAD_BYTES} bytes` }
      : { kind: 'incomplete' };
  }
  const head = received.subarray(0, end.start).toString('latin1');
  const statusLine = (head.split('\n', 1)[0] ?? '').replace(/\r$/, '');
  const status = /^\S+[ \t]+(\d+)(?:[ \t]|$)/.exec(statusLine)?.[1];
  if (status === undefined) return { kind: 'invalid', reason: `not an HTTP status line: ${JSON.stringify(statusLine.slice(0, 200))}` };
  if (status !== '200') return { kind: 'refused', statusLine: statusLine.slice(0, 200) };
  return { kind: 'established', rest: received.subarray(end.after) };
}

/** Where the empty line that ends the head starts and where the data after it begins; CRLF or bare LF. */
function headEnd(buf: Buffer): { start: number; after: number } | undefined {
  for (let i = buf.indexOf(0x0a); i >= 0; i = buf.indexOf(0x0a, i + 1)) {
    if (buf[i + 1] === 0x0a) return { start: i, after: i + 2 };
    if (buf[i + 1] === 0x0d && buf[i + 2] === 0x0a) return { start: i, after: i + 3 };
  }
  return undefined;
}
