import { RawNetlinkSocket } from 'netlink/dist/raw';
import { Protocol } from 'netlink/dist/constants';
import { decodeAttributes } from './attributes';
import { NetlinkError } from './errors';
import { addressBytes, addressFamilyNumber } from './ip-bytes';
import { RtnetlinkTransport } from './transport';

/** One end of a TCP connection as the socket sees it (its own address, not a NAT's). */
export interface TcpEndpoint {
  address: string;
  port: number;
}

/** A connection, named from this host's side: `local` is our socket's address. */
export interface TcpConnectionId {
  local: TcpEndpoint;
  remote: TcpEndpoint;
}

/** What the kernel knows about a connection's progress (struct tcp_info), the part we judge by. */
export interface TcpProgress {
  /** Segments in flight: sent and not acknowledged yet. */
  unacked: number;
  /** Milliseconds since the last acknowledgement arrived, at the kernel's clock resolution (1–10 ms). */
  lastAckAgeMs: number;
  /** Smoothed round-trip time in milliseconds. */
  rttMs: number;
}

// linux/sock_diag.h, inet_diag.h, in.h
const SOCK_DIAG_BY_FAMILY = 20;
const IPPROTO_TCP = 6;
const INET_DIAG_INFO = 2;
const INET_DIAG_NOCOOKIE = 0xffffffff;
const ALL_STATES = 0xffffffff;
/** struct inet_diag_req_v2: family, protocol, ext, pad (u8 each), states u32, then struct inet_diag_sockid. */
const REQUEST_LENGTH = 56;
/** struct inet_diag_sockid: sport, dport (be16), src[4], dst[4] (be32), if u32, cookie[2] u32. */
const SOCKID_OFFSET = 8;
/** struct inet_diag_msg: family, state, timer, retrans (u8), sockid, expires, rqueue, wqueue, uid, inode (u32). */
const MESSAGE_LENGTH = 72;
// Offsets in struct tcp_info (linux/tcp.h).
const TCPI_UNACKED = 24;
const TCPI_LAST_ACK_RECV = 56;
const TCPI_RTT_US = 68;
const TCPI_MIN_LENGTH = TCPI_RTT_US + 4;

/** The request for one connection, looked up by its addresses and ports, with its tcp_info. */
export function encodeTcpInfoRequest(id: TcpConnectionId): Buffer {
  const local = addressBytes(id.local.address);
  const remote = addressBytes(id.remote.address);
  if (local.family !== remote.family) {
    throw new Error(`TCP connection ${describeConnection(id)}: local and remote addresses of different families`);
  }
  const request = Buffer.alloc(REQUEST_LENGTH);
  request.writeUInt8(addressFamilyNumber(local.family), 0);
  request.writeUInt8(IPPROTO_TCP, 1);
  request.writeUInt8(1 << (INET_DIAG_INFO - 1), 2);
  request.writeUInt32LE(ALL_STATES, 4);
  request.writeUInt16BE(id.local.port, SOCKID_OFFSET);
  request.writeUInt16BE(id.remote.port, SOCKID_OFFSET + 2);
  local.bytes.copy(request, SOCKID_OFFSET + 4);
  remote.bytes.copy(request, SOCKID_OFFSET + 20);
  request.writeUInt32LE(INET_DIAG_NOCOOKIE, SOCKID_OFFSET + 40);
  request.writeUInt32LE(INET_DIAG_NOCOOKIE, SOCKID_OFFSET + 44);
  return request;
}

/** The progress figures of a reply (struct inet_diag_msg and its INET_DIAG_INFO attribute). */
export function decodeTcpProgress(message: Buffer): TcpProgress {
  if (message.length < MESSAGE_LENGTH) throw new Error(`inet_diag reply of ${message.length} bytes, expected at least ${MESSAGE_LENGTH}`);
  const info = decodeAttributes(message.subarray(MESSAGE_LENGTH)).get(INET_DIAG_INFO);
  if (info === undefined || info.length < TCPI_MIN_LENGTH) throw new Error('inet_diag reply without tcp_info');
  return {
    unacked: info.readUInt32LE(TCPI_UNACKED),
    lastAckAgeMs: info.readUInt32LE(TCPI_LAST_ACK_RECV),
    rttMs: info.readUInt32LE(TCPI_RTT_US) / 1000,
  };
}

export function describeConnection(id: TcpConnectionId): string {
  const endpoint = ({ address, port }: TcpEndpoint): string => (address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`);
  return `${endpoint(id.local)} -> ${endpoint(id.remote)}`;
}

/**
 * Asks the kernel (sock_diag, the interface of `ss -ti`) about one TCP connection of this network namespace:
 * an exact lookup, so its cost does not grow with the number of sockets (a kube-apiserver pod has thousands).
 * Needs no privileges. The socket opens with the first request.
 */
export class TcpDiag {
  private constructor(private readonly transport: RtnetlinkTransport) {}

  static open(timeoutMs = 1000): TcpDiag {
    return new TcpDiag(new RtnetlinkTransport(timeoutMs, () => new RawNetlinkSocket(Protocol.SOCK_DIAG)));
  }

  /** Resolves undefined when this namespace has no such connection (closed, or never ours). */
  async progress(id: TcpConnectionId): Promise<TcpProgress | undefined> {
    const operation = `tcp_info of ${describeConnection(id)}`;
    try {
      const [reply] = await this.transport.request(operation, SOCK_DIAG_BY_FAMILY, encodeTcpInfoRequest(id));
      if (reply === undefined) throw new Error(`${operation}: empty reply`);
      return decodeTcpProgress(reply.data);
    } catch (err) {
      if (err instanceof NetlinkError && err.code === 'ENOENT') return undefined;
      throw err;
    }
  }

  close(): void {
    this.transport.close();
  }
}
