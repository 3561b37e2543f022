import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { RawNetlinkSocket } from 'netlink/dist/raw';
import { RTNLGRP_LINK } from '../../src/netlink/constants';
import { LinkEvents } from '../../src/netlink/link-events';

/** The native socket as LinkEvents uses it: group membership, unref, close. */
class FakeGroupSocket extends EventEmitter {
  groups: number[] = [];
  referenced = true;
  closed = false;

  constructor(private readonly refuseGroups = false) {
    super();
  }

  addMembership(group: number): void {
    if (this.refuseGroups) throw new Error('EPERM');
    this.groups.push(group);
  }

  unref(): void {
    this.referenced = false;
  }

  close(): void {
    this.closed = true;
  }
}

function open(socket: FakeGroupSocket): { events: LinkEvents; changes: () => number; errors: Error[] } {
  let changes = 0;
  const errors: Error[] = [];
  const events = LinkEvents.open(
    () => changes++,
    (err) => errors.push(err),
    () => socket as unknown as RawNetlinkSocket,
  );
  return { events, changes: () => changes, errors };
}

describe('netlink: link notifications', () => {
  it('joins the link group on a socket that does not keep the process alive, and reports every message', () => {
    const socket = new FakeGroupSocket();
    const { changes } = open(socket);
    assert.deepEqual(socket.groups, [RTNLGRP_LINK]);
    assert.equal(socket.referenced, false);
    socket.emit('message', Buffer.alloc(32), { port: 0, groups: 1 });
    socket.emit('message', Buffer.alloc(32), { port: 0, groups: 1 });
    assert.equal(changes(), 2);
  });

  it('reports a change after a receive error, since the lost notifications may have been one', () => {
    const socket = new FakeGroupSocket();
    const { changes, errors } = open(socket);
    socket.emit('error', new Error('ENOBUFS'));
    assert.equal(changes(), 1);
    assert.deepEqual(
      errors.map((e) => e.message),
      ['ENOBUFS'],
    );
  });

  it('closes the socket and throws when the group cannot be joined', () => {
    const socket = new FakeGroupSocket(true);
    assert.throws(() => open(socket), /EPERM/);
    assert.equal(socket.closed, true);
  });

  it('close() closes the socket', () => {
    const socket = new FakeGroupSocket();
    open(socket).events.close();
    assert.equal(socket.closed, true);
  });
});
