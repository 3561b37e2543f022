import type { Netlink } from '../netlink';
import { run, type ExecResult } from './exec';

export type OpenvpnRunner = (args: readonly string[]) => Promise<ExecResult>;

const runOpenvpn: OpenvpnRunner = (args) => run('openvpn', args);

/**
 * HA clients use one persistent tap per server. Creating it before OpenVPN starts (rtnetlink cannot create
 * tun/tap devices; OpenVPN's --mktun does the /dev/net/tun ioctls) means the device, and with accept_dad=0
 * its addresses, exist without the ~2.2 s duplicate address detection on every (re)connect, and
 * `persist-tun` keeps it across reconnects. An existing device is kept, so running setup again changes nothing.
 * The MTU is left to OpenVPN, which applies `tun-mtu` when it opens the device. Resolves with the names it created.
 */
export async function ensurePersistentTaps(
  netlink: Pick<Netlink, 'getLink'>,
  names: readonly string[],
  openvpn: OpenvpnRunner = runOpenvpn,
): Promise<string[]> {
  const created: string[] = [];
  for (const name of names) {
    if ((await netlink.getLink(name)) !== undefined) continue;
    const r = await openvpn(['--mktun', '--dev', name, '--dev-type', 'tap']);
    if (r.code !== 0) throw new Error(`creating persistent tap ${name} failed: ${(r.stderr || r.stdout).trim().split('\n').pop() ?? ''}`);
    created.push(name);
  }
  return created;
}
