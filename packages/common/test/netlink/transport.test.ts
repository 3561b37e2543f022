import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { NLMSG_DONE, NLMSG_ERROR, NLM_F_DUMP, NLM_F_DUMP_INTR, RTM_GETLINK, RTM_NEWADDR, RTM_NEWLINK } from '../../src/netlink/constants';
import { NetlinkError } from '../../src/netlink/errors';
import { RtnetlinkTransport } from '../../src/netlink/transport';
import { fakeSockets, type Kernel, type Reply } from './fake-raw-socket';

const NLM_F_MULTI = 0x2;

const s32 = (n: number): Buffer => {
  const out = Buffer.alloc(4);
  out.writeInt32LE(n);
  return out;
};
/** One entry of a link dump; the transport does not look inside. */
const link = (index: number, flags = 0): Reply => ({ type: RTM_NEWLINK, flags: NLM_F_MULTI | flags, data: Buffer.from([index]) });
/** The end of a dump: its status (0 or the negated errno that cut it short). */
const done = (flags = 0, errno = 0): Reply => ({ type: NLMSG_DONE, flags: NLM_F_MULTI | flags, data: s32(-errno) });
/** nlmsgerr: the negated errno (0 for an ACK), then the request's header, which the transport does not read. */
const nlmsgerr = (errno: number): Reply => ({ type: NLMSG_ERROR, data: Buffer.concat([s32(-errno), Buffer.alloc(16)]) });

const EEXIST = 17;
const EMSGSIZE = 90;
const ENOBUFS = 105;

function transportOver(kernel: Kernel, timeoutMs = 1000): ReturnType<typeof fakeSockets> & { transport: RtnetlinkTransport } {
  const fake = fakeSockets(kernel);
  return { ...fake, transport: new RtnetlinkTransport(timeoutMs, fake.open) };
}

/** The error the native socket reports when a receive fails. */
function receiveError(errno: number, code: string): Error {
  return Object.assign(new Error('Error when receiving Netlink message: no buffer space available'), {
    name: 'ErrnoException',
    errno,
    code,
  });
}

describe('rtnetlink transport', () => {
  it('repeats a dump the kernel flags as interrupted and returns the complete one', async () => {
    let dumps = 0;
    const { transport, sockets } = transportOver(() =>
      ++dumps === 1 ? [link(1), link(2, NLM_F_DUMP_INTR), done()] : [link(1), link(3), done()],
    );
    const replies = await transport.dump('list links', RTM_GETLINK, Buffer.alloc(16));
    assert.deepEqual(replies, [
      { type: RTM_NEWLINK, data: Buffer.from([1]) },
      { type: RTM_NEWLINK, data: Buffer.from([3]) },
    ]);
    assert.equal(sockets.length, 1);
    assert.deepEqual(
      sockets[0].sent.map((r) => [r.type, r.flags & NLM_F_DUMP]),
      [
        [RTM_GETLINK, NLM_F_DUMP],
        [RTM_GETLINK, NLM_F_DUMP],
      ],
    );
  });

  it('repeats a dump whose interruption the kernel flags on the closing DONE only', async () => {
    let dumps = 0;
    const { transport, sockets } = transportOver(() => (++dumps === 1 ? [link(1), done(NLM_F_DUMP_INTR)] : [link(2), done()]));
    const replies = await transport.dump('list links', RTM_GETLINK, Buffer.alloc(16));
    assert.deepEqual(replies, [{ type: RTM_NEWLINK, data: Buffer.from([2]) }]);
    assert.equal(sockets[0].sent.length, 2);
  });

  it('rejects a dump the kernel cut short with an errno in its DONE', async () => {
    const { transport } = transportOver(() => [link(1), done(0, EMSGSIZE)]);
    await assert.rejects(transport.dump('list links', RTM_GETLINK, Buffer.alloc(16)), {
      name: 'NetlinkError',
      code: 'EMSGSIZE',
      message: 'list links: message too long (EMSGSIZE)',
    });
  });

  it('gives up on a dump interrupted three times in a row', async () => {
    const { transport, sockets } = transportOver(() => [link(1, NLM_F_DUMP_INTR), done()]);
    await assert.rejects(transport.dump('list links', RTM_GETLINK, Buffer.alloc(16)), {
      message: 'list links: dump interrupted by concurrent changes 3 times',
    });
    assert.equal(sockets[0].sent.length, 3);
  });

  it('rejects with NetlinkError naming the errno and the operation', async () => {
    const { transport } = transportOver(() => [nlmsgerr(EEXIST)]);
    const rejection = transport.request('add address fd00::1/64 to tap0', RTM_NEWADDR, Buffer.alloc(8));
    await assert.rejects(rejection, (err: unknown) => {
      assert.ok(err instanceof NetlinkError);
      assert.equal(err.code, 'EEXIST');
      assert.equal(err.errno, EEXIST);
      assert.equal(err.operation, 'add address fd00::1/64 to tap0');
      assert.equal(err.message, 'add address fd00::1/64 to tap0: file already exists (EEXIST)');
      return true;
    });
  });

  it('resolves an acknowledged request with no messages', async () => {
    const { transport } = transportOver(() => [nlmsgerr(0)]);
    assert.deepEqual(await transport.request('add address fd00::1/64 to tap0', RTM_NEWADDR, Buffer.alloc(8)), []);
  });

  it('closes a socket that reported an error and opens a fresh one for the next request', async () => {
    const { transport, sockets } = transportOver(() => [link(1), done()]);
    await transport.dump('list links', RTM_GETLINK, Buffer.alloc(16));
    sockets[0].emit('error', receiveError(ENOBUFS, 'ENOBUFS'));
    assert.equal(sockets[0].closed, true);

    await transport.dump('list links', RTM_GETLINK, Buffer.alloc(16));
    assert.equal(sockets.length, 2);
    assert.deepEqual([sockets[0].sent.length, sockets[1].sent.length], [1, 1], 'the broken socket got no request');
  });

  it('fails the request waiting on a socket that reports an error with that error, not a late timeout', async () => {
    let requests = 0;
    const kernel: Kernel = () => (++requests === 1 ? receiveError(ENOBUFS, 'ENOBUFS') : [link(1), done()]);
    const { transport, sockets } = transportOver(kernel, 200);
    await assert.rejects(transport.dump('list links', RTM_GETLINK, Buffer.alloc(16)), {
      message: 'list links: Error when receiving Netlink message: no buffer space available',
    });
    assert.equal(sockets[0].closed, true);

    assert.equal((await transport.dump('list links', RTM_GETLINK, Buffer.alloc(16))).length, 1);
    assert.deepEqual([sockets[0].sent.length, sockets[1].sent.length], [1, 1]);
  });

  it('keeps no reply once the caller has dropped it (the controllers dump links and routes for as long as they run)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const { transport } = transportOver(() => [link(1), done()]);
    const dropped = new WeakRef((await transport.dump('list links', RTM_GETLINK, Buffer.alloc(16)))[0].data);
    await transport.dump('list links', RTM_GETLINK, Buffer.alloc(16));
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    assert.equal(dropped.deref(), undefined, 'the first reply is still reachable from the transport');
  });

  it('times out a request that gets no reply, naming the operation and the timeout, and keeps the socket', async () => {
    let requests = 0;
    const { transport, sockets } = transportOver(() => (++requests === 1 ? undefined : [nlmsgerr(0)]), 20);
    await assert.rejects(transport.request('set link tap0 up', RTM_NEWLINK, Buffer.alloc(16)), {
      message: 'set link tap0 up: no reply from the kernel within 20 ms',
    });
    assert.deepEqual(await transport.request('set link tap0 up', RTM_NEWLINK, Buffer.alloc(16)), []);
    assert.equal(sockets.length, 1);
  });
});
