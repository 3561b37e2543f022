import { Protocol } from 'netlink/dist/constants';
import { RawNetlinkSocket } from 'netlink/dist/raw';
import { RTNLGRP_LINK } from './constants';

/**
 * The kernel's notifications of link changes in this network namespace (rtnetlink multicast group
 * RTNLGRP_LINK: a device created, deleted, or changed in state, flags or address). It tells only that
 * something changed; callers list the links themselves, so a notification is not decoded. The socket does
 * not keep the process alive.
 */
export class LinkEvents {
  private constructor(private readonly socket: RawNetlinkSocket) {}

  /**
   * `onChange` runs for every notification, and after a receive error (ENOBUFS: the kernel dropped
   * notifications, a change may be among them), which also goes to `onError`. Throws when the socket cannot
   * be opened or cannot join the group.
   */
  static open(onChange: () => void, onError: (err: Error) => void, openRaw = () => new RawNetlinkSocket(Protocol.ROUTE)): LinkEvents {
    const socket = openRaw();
    try {
      socket.addMembership(RTNLGRP_LINK);
    } catch (err) {
      socket.close();
      throw err;
    }
    socket.unref();
    socket.on('message', () => onChange());
    socket.on('error', (err) => {
      onError(err);
      onChange();
    });
    return new LinkEvents(socket);
  }

  close(): void {
    this.socket.close();
  }
}
