import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LabSpec } from './lib/address-plan';
import { createCertificates } from './lib/certs';
import { cleanupOnExit } from './lib/exit-cleanup';
import { TunnelLab } from './lib/lab';
import { seconds } from './lib/measurement';
import { formatReachTable, unexpected } from './lib/reach-table';

/**
 * `npm run demo [-- --keep]`: the dual-stack non-HA tunnel in network namespaces with throwaway
 * certificates; prints what reached what and how long the tunnel took to come up, then tears it all
 * down (or, with `--keep`, leaves it running and prints how to enter each namespace).
 */
const SPEC: LabSpec = {
  name: 'demo',
  shootFamilies: ['IPv4', 'IPv6'],
  seedFamilies: ['IPv4', 'IPv6'],
  seedPodsOverlapShootPods: false,
  headerKey: 'X-Gardener-Destination',
};
const USAGE = 'usage: npm run demo [-- --keep]';

const out = (line = ''): boolean => process.stdout.write(line + '\n');

async function demo(keep: boolean): Promise<number> {
  // Ctrl-C or SIGTERM end the process; exit-cleanup then removes namespaces, processes and directories.
  const pki = mkdtempSync(path.join(os.tmpdir(), 'vpn-demo-pki-'));
  cleanupOnExit(() => rmSync(pki, { recursive: true, force: true }));
  let lab: TunnelLab | undefined;
  let kept = false;

  try {
    out('vpn tunnel demo: dual-stack shoot and seed, non-HA, throwaway certificates');
    let t = Date.now();
    const certs = await createCertificates(pki);
    lab = await TunnelLab.create({ spec: SPEC, certs, secrets: 'valid' });
    out(
      `  lab built in ${seconds(Date.now() - t)} s: namespaces ${Object.values(lab.ns)
        .map((ns) => ns.name)
        .join(', ')}`,
    );

    t = Date.now();
    await lab.startServer();
    out(`  vpn-seed-server up in ${seconds(Date.now() - t)} s (setup, root command, openvpn)`);
    const before = await lab.reachability();

    const up = await lab.tunnelUp(await lab.startClient());
    out(
      `  vpn-shoot-client started: tunnel up after ${seconds(up.fromPodMs)} s from the pod start, ${seconds(up.fromOpenvpnMs)} s from OpenVPN's start`,
    );
    out('  (to the first answer to an ICMP probe from the server pod, group 31415, to the shoot pod host)');
    const withTunnel = await lab.reachability();

    out();
    out(formatReachTable(before, withTunnel));
    out();
    const surprises = unexpected(before, withTunnel);
    out(
      surprises.length === 0
        ? 'all as expected: the shoot is reachable only through the tunnel, and only once it is up'
        : `UNEXPECTED:\n  ${surprises.join('\n  ')}`,
    );
    out(`measure: scenario=demo tunnel_up_s=${seconds(up.fromPodMs)} openvpn_to_tunnel_s=${seconds(up.fromOpenvpnMs)}`);

    if (surprises.length > 0) out(`\n${lab.report()}`);
    if (keep) {
      kept = true;
      out('\n--keep: everything stays up. Enter a namespace with:');
      lab.keep().forEach((l) => out(`  ${l}`));
    }
    return surprises.length === 0 ? 0 : 1;
  } catch (err) {
    out(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
    if (lab) out(lab.report());
    return 1;
  } finally {
    if (lab && !kept) await lab.destroy();
  }
}

function main(argv: string[]): void {
  if (argv.includes('--help') || argv.includes('-h')) {
    out(USAGE);
    process.exit(0);
  }
  const unknown = argv.find((a) => a !== '--keep');
  if (unknown !== undefined) {
    process.stderr.write(`unknown argument ${unknown}\n${USAGE}\n`);
    process.exit(1);
  }
  if (process.getuid?.() !== 0) {
    process.stderr.write('the demo needs root: it creates network namespaces and iptables rules inside them\n');
    process.exit(1);
  }
  void demo(argv.includes('--keep')).then((code) => process.exit(code));
}

main(process.argv.slice(2));
