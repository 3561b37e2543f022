import { EventEmitter } from 'node:events';
import type { RawNetlinkSocket } from 'netlink/dist/raw';

export interface SentRequest {
  type: number;
  flags: number;
  seq: number;
  body: Buffer;
}

/** A message the kernel sends back; the fake fills in the request's sequence number. */
export interface Reply {
  type: number;
  flags?: number;
  data: Buffer;
}

/** What the kernel does with a request: replies, makes the socket report an error, or stays silent (undefined). */
export type Kernel = (request: SentRequest) => Reply[] | Error | undefined;

const PORT = 4242;

/**
 * The package's native socket as its NetlinkSocket uses it, so that tests run the package's real framing,
 * sequence matching, multipart assembly and timeouts. Like the native one, it delivers in a later turn of
 * the event loop and throws once closed.
 */
export class FakeRawSocket extends EventEmitter {
  readonly sent: SentRequest[] = [];
  closed = false;

  constructor(private readonly kernel: Kernel) {
    super();
  }

  send(msg: Uint8Array | Uint8Array[], _options: unknown, callback?: (error?: Error) => void): void {
    this.ensureOpen();
    const packet = Buffer.concat([msg].flat());
    const request = { type: packet.readUInt16LE(4), flags: packet.readUInt16LE(6), seq: packet.readUInt32LE(8), body: packet.subarray(16) };
    this.sent.push(request);
    const answer = this.kernel(request);
    setImmediate(() => {
      if (this.closed) return;
      callback?.();
      if (answer instanceof Error) this.emit('error', answer);
      else if (answer) this.emit('message', Buffer.concat(answer.map((r) => frame(r, request.seq))), { port: 0, groups: 0 });
    });
  }

  address(): { port: number; groups: number } {
    this.ensureOpen();
    return { port: PORT, groups: 0 };
  }

  ref(): void {
    this.ensureOpen();
  }

  unref(): void {
    this.ensureOpen();
  }

  close(): void {
    this.closed = true;
    this.emit('close');
  }

  private ensureOpen(): void {
    if (this.closed) throw new Error('Netlink socket is closed');
  }
}

/** A socket factory answering with `kernel`; `sockets` holds every socket it opened, oldest first. */
export function fakeSockets(kernel: Kernel): { open: () => RawNetlinkSocket; sockets: FakeRawSocket[] } {
  const sockets: FakeRawSocket[] = [];
  const open = (): RawNetlinkSocket => {
    const socket = new FakeRawSocket(kernel);
    sockets.push(socket);
    // The fake has only the members NetlinkSocket calls.
    return socket as unknown as RawNetlinkSocket;
  };
  return { open, sockets };
}

/** nlmsghdr (length u32, type u16, flags u16, seq u32, port u32) and the payload padded to 4 bytes. */
function frame(reply: Reply, seq: number): Buffer {
  const out = Buffer.alloc((16 + reply.data.length + 3) & ~3);
  out.writeUInt32LE(16 + reply.data.length, 0);
  out.writeUInt16LE(reply.type, 4);
  out.writeUInt16LE(reply.flags ?? 0, 6);
  out.writeUInt32LE(seq, 8);
  out.writeUInt32LE(0, 12);
  reply.data.copy(out, 16);
  return out;
}
