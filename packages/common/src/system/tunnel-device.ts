import type { Netlink } from '../netlink';
import { LinkNotFoundError } from '../netlink/errors';

/**
 * The reference's client `Cleanup`: in a pod whose network namespace outlives the container, the tun/tap
 * device of the previous OpenVPN still holds its IPv6 addresses, and the new OpenVPN crashes with
 * "address already assigned". If `device` exists and has IPv6 addresses (link-local included): set it down
 * (the kernel then flushes them, unless keep_addr_on_down is set) and delete whatever is left.
 * A missing device is fine, also one that vanishes meanwhile (its addresses went with it).
 * Resolves with the addresses (CIDR) that were removed, for the log.
 */
export async function removeStaleTunnelAddresses(
  netlink: Pick<Netlink, 'listAddresses' | 'setLinkDown' | 'deleteAddress'>,
  device: string,
): Promise<string[]> {
  let stale: string[] = [];
  try {
    stale = (await netlink.listAddresses({ dev: device, family: 6 })).map((a) => `${a.address}/${a.prefixLength}`);
    if (stale.length === 0) return [];
    await netlink.setLinkDown(device);
    for (const address of stale) await netlink.deleteAddress({ dev: device, address });
    return stale;
  } catch (err) {
    if (err instanceof LinkNotFoundError) return stale;
    throw err;
  }
}
