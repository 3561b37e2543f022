import {
  Cidr,
  InputError,
  type Logger,
  createFirewall,
  detectBackend,
  seedServerFirewallRules,
  seedServerFirewallTag,
  withNetlink,
} from '@vpn/common';

export interface FirewallArgs {
  mode: 'up' | 'down';
  device: string;
  shootNetworks: string[];
  seedPodNetwork: string;
}

/**
 * The rtm_protocol our hook's routes carry (`proto 118` in `ip route`). No routing daemon or iproute2
 * table uses the number, so `down` can tell our routes from those others put on the same device.
 */
const HOOK_ROUTE_PROTOCOL = 118;

/**
 * OpenVPN's up/down hook. `up` admits only replies from the tunnel, maps 241/8 to the seed pod network
 * and routes the shoot networks into the device; `down` removes exactly those rules and routes. The
 * reference's down line carries no flags, so removal finds our rules by their tag and our routes by
 * device and the protocol number they were installed with.
 */
export async function firewallHook(args: FirewallArgs, log: Logger): Promise<void> {
  const tag = deviceTag(args.device);
  const shootNetworks = args.shootNetworks.map((text) => parseFlagCidr('--shoot-network', text));
  const seedPodNetwork = args.seedPodNetwork === '' ? undefined : parseFlagCidr('--seed-pod-network', args.seedPodNetwork);
  const firewall = createFirewall(await detectBackend({ log }), log);

  if (args.mode === 'down') {
    const change = await firewall.remove(tag);
    const removed = await withNetlink(async (nl) => {
      const ours = (await nl.listRoutes()).filter((r) => r.dev === args.device && r.protocol === HOOK_ROUTE_PROTOCOL);
      for (const route of ours) await nl.deleteRoute({ dst: route.dst, dev: args.device, protocol: HOOK_ROUTE_PROTOCOL });
      return ours.map((r) => r.dst);
    });
    log.info('firewall down', { device: args.device, rules_deleted: change.deleted, routes_deleted: removed.join(',') || undefined });
    return;
  }

  const change = await firewall.apply(tag, seedServerFirewallRules({ device: args.device, seedPodNetwork }));
  await withNetlink(async (nl) => {
    for (const net of shootNetworks) await nl.replaceRoute({ dst: net.toString(), dev: args.device, protocol: HOOK_ROUTE_PROTOCOL });
  });
  log.info('firewall up', {
    device: args.device,
    rules_added: change.added,
    rules_deleted: change.deleted,
    routes: shootNetworks.join(',') || undefined,
  });
}

/** Linux interface names: at most 15 bytes, no slash or white space. */
function deviceTag(device: string): ReturnType<typeof seedServerFirewallTag> {
  if (!/^[A-Za-z0-9._+@-]{1,15}$/.test(device)) throw new InputError('--device', `invalid interface name "${device}"`);
  return seedServerFirewallTag(device);
}

function parseFlagCidr(flag: string, text: string): Cidr {
  const cidr = Cidr.tryParse(text);
  if (cidr === undefined) throw new InputError(flag, `invalid CIDR "${text}"`);
  return cidr;
}
