import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { requireRoot } from '@vpn/common/dist/test/support/privileges';
import { TestNetns } from '@vpn/common/dist/test/support/netns';
import { iptablesRules as rules } from '@vpn/common/dist/test/support/cli';

const LAUNCHER = path.resolve(__dirname, '../../bin/vpn-seed-server');

describe('vpn-seed-server [root]: root command and firewall hook on the real kernel', function () {
  let ns: TestNetns;
  let dir: string;
  const env = {
    PATH: process.env.PATH ?? '',
    OPENVPN_STATUS_PATH: '/tmp/status/openvpn.status',
    SEED_POD_NETWORK: '10.96.0.0/11',
    SHOOT_NODE_NETWORKS: '10.250.0.0/16',
    SHOOT_SERVICE_NETWORKS: '100.64.0.0/13,fd00:64::/108',
  };

  before(function () {
    requireRoot(this);
    ns = TestNetns.create('seedcli');
    ns.sh('ip tuntap add dev tun0 mode tun && ip link set tun0 up');
    dir = mkdtempSync(path.join(tmpdir(), 'seed-kernel-'));
  });
  after(() => {
    ns?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const root = (): void => {
    const r = ns.exec(
      process.execPath,
      [LAUNCHER, '--config-file', `${dir}/server.conf`, '--client-config-dir', `${dir}/ccd`, '--secrets-dir', `${dir}/secrets`],
      env,
    );
    assert.equal(r.status, 0, r.stderr);
  };

  /** The hook exactly as OpenVPN runs it: the rendered line, no environment at all, positional arguments appended. */
  const hook = (which: 'up' | 'down'): void => {
    const line = readFileSync(`${dir}/server.conf`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${which} "`));
    assert.ok(line, `no ${which} line`);
    const argv = line.slice(which.length + 2, -1).split(' ');
    const r = ns.exec('env', ['-i', ...argv, 'tun0', '1500', '0', '', '', 'init'], {});
    assert.equal(r.status, 0, r.stderr + r.stdout);
  };

  it('renders mode-0600 files in a 0750 client-config-dir and sets the envoy NETMAP once, however often it runs', () => {
    root();
    const once = rules(ns);
    root();
    assert.equal(rules(ns), once);
    assert.equal(statSync(`${dir}/server.conf`).mode & 0o777, 0o600);
    assert.equal(statSync(`${dir}/ccd`).mode & 0o777, 0o750);
    assert.equal(statSync(`${dir}/ccd/vpn-shoot-client`).mode & 0o777, 0o600);
    assert.equal((once.match(/--gid-owner 31415/g) ?? []).length, 3);
  });

  it('the up hook runs without PATH, adds rules and routes once; down removes exactly them', () => {
    // Routes on the device that someone else installed, whatever their origin, outlive our down hook.
    ns.sh(
      'ip route add 192.0.2.0/24 dev tun0 && ip route add 198.51.100.0/24 dev tun0 proto static && ip -6 route add 2001:db8:99::/64 dev tun0',
    );
    const before = rules(ns);
    const routesBefore = ns.sh('ip route show; ip -6 route show');
    hook('up');
    const up = rules(ns);
    hook('up');
    assert.equal(rules(ns), up, 'up twice adds nothing');
    assert.match(up, /-A INPUT -i tun0 .*RELATED,ESTABLISHED/);
    assert.match(up, /-A FORWARD -i tun0 .*-j DROP/);
    assert.match(up, /-A PREROUTING -d 241.0.0.0\/8 -i tun0 .*-j NETMAP --to 10.96.0.0\/11/);
    const routes = ns.sh('ip route show dev tun0; ip -6 route show dev tun0');
    for (const net of ['242.0.0.0/8', '243.0.0.0/8', 'fd00:64::/108']) assert.ok(routes.includes(net), `${net} in ${routes}`);
    hook('down');
    assert.equal(rules(ns), before, 'down removes exactly what up added');
    assert.equal(ns.sh('ip route show; ip -6 route show'), routesBefore);
  });
});
