// The package's index also loads its generated rtnetlink, nl80211 and WireGuard tables (1.4 MB of
// JavaScript we do not use: we decode payloads ourselves); these three modules are the socket and framing.
import { Protocol } from 'netlink/dist/constants';
import { NetlinkSocket } from 'netlink/dist/netlink';
import { RawNetlinkSocket, type MessageInfo } from 'netlink/dist/raw';
import type { NetlinkMessage } from 'netlink/dist/structs';
import { NLMSG_DONE, NLMSG_ERROR, NLM_F_DUMP, NLM_F_DUMP_INTR } from './constants';
import { NetlinkError } from './errors';

export interface ReplyMessage {
  type: number;
  data: Buffer;
}

const DUMP_ATTEMPTS = 3;

/** A socket and a promise that rejects with the first error it reports. */
interface OpenSocket {
  netlink: NetlinkSocket;
  failure: Promise<never>;
}

/**
 * Request/reply over one rtnetlink socket of the npm `netlink` package, which does the framing, sequence
 * numbers and multipart assembly; we decode the payloads ourselves. Requests run one at a time because the
 * kernel refuses a second dump on a socket while one is in progress (EBUSY). The socket opens with the
 * first request and does not keep the process alive while idle.
 */
export class RtnetlinkTransport {
  private socket: OpenSocket | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  /** `openRaw` opens the native socket under the package's framing; tests pass a fake. */
  constructor(
    private readonly timeoutMs: number,
    private readonly openRaw: () => RawNetlinkSocket = () => new RawNetlinkSocket(Protocol.ROUTE),
  ) {}

  /** Sends a request and resolves with its non-ACK reply messages; a kernel error rejects with NetlinkError. */
  request(operation: string, type: number, body: Buffer, flags = 0): Promise<ReplyMessage[]> {
    return this.serialize(async () => checked(operation, await this.exchange(operation, type, body, flags)));
  }

  /** Dumps a table; repeats the dump when the kernel flags it as interrupted by a concurrent change. */
  dump(operation: string, type: number, body: Buffer): Promise<ReplyMessage[]> {
    return this.serialize(async () => {
      for (let attempt = 1; ; attempt++) {
        const replies = await this.exchange(operation, type, body, NLM_F_DUMP);
        if (!replies.some((m) => m.flags & NLM_F_DUMP_INTR)) return checked(operation, replies);
        if (attempt === DUMP_ATTEMPTS) {
          throw new Error(`${operation}: dump interrupted by concurrent changes ${DUMP_ATTEMPTS} times`);
        }
      }
    });
  }

  close(): void {
    this.closed = true;
    this.socket?.netlink.close();
    this.socket = null;
  }

  private serialize<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async exchange(operation: string, type: number, body: Buffer, flags: number): Promise<NetlinkMessage[]> {
    const { netlink, failure } = this.open(operation);
    try {
      const reply = netlink.request(type, body, { flags, checkError: false, timeout: this.timeoutMs });
      const [messages] = await Promise.race([reply, failure]);
      return messages;
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      const timedOut = reason === 'Timeout has been reached';
      throw new Error(`${operation}: ${timedOut ? `no reply from the kernel within ${this.timeoutMs} ms` : reason}`, {
        cause: err,
      });
    }
  }

  private open(operation: string): OpenSocket {
    if (this.closed) throw new Error(`${operation}: netlink socket already closed`);
    if (!this.socket) {
      const netlink = new DoneKeepingSocket(this.openRaw());
      // A receive error (e.g. ENOBUFS) may have eaten a reply, which could not arrive on the closed socket
      // anyway: the request waiting fails with the error right away, the next one gets a fresh socket.
      const failure = new Promise<never>((_, reject) => {
        netlink.on('error', (err) => {
          if (this.socket?.netlink === netlink) this.socket = null;
          netlink.close();
          reject(err);
        });
      });
      // The error may come while no request is waiting.
      failure.catch(() => undefined);
      this.socket = { netlink, failure };
    }
    return this.socket;
  }
}

/**
 * The package's socket drops the NLMSG_DONE that ends a dump, but the kernel writes the dump's status into
 * it and may flag an interruption (NLM_F_DUMP_INTR) on that message alone. This one keeps it in the reply.
 */
class DoneKeepingSocket extends NetlinkSocket {
  protected override emitMessage(msg: NetlinkMessage | NetlinkMessage[], rinfo: MessageInfo): unknown {
    const last = Array.isArray(msg) ? msg[msg.length - 1] : undefined;
    // The package cuts the last message off a multipart reply: a repeated DONE leaves the original in.
    return super.emitMessage(Array.isArray(msg) && last?.type === NLMSG_DONE ? [...msg, last] : msg, rinfo);
  }
}

function checked(operation: string, messages: NetlinkMessage[]): ReplyMessage[] {
  const replies: ReplyMessage[] = [];
  for (const m of messages) {
    if (m.type !== NLMSG_ERROR && m.type !== NLMSG_DONE) {
      replies.push({ type: m.type, data: m.data });
      continue;
    }
    // Both start with a status: 0 (an ACK, a complete dump) or the negated errno.
    const errno = -m.data.readInt32LE(0);
    if (errno !== 0) throw new NetlinkError(operation, errno);
  }
  return replies;
}
