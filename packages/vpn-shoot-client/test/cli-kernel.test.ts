import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { requireRoot } from '@vpn/common/dist/test/support/privileges';
import { TestNetns } from '@vpn/common/dist/test/support/netns';
import { iptablesRules as rules } from '@vpn/common/dist/test/support/cli';

const LAUNCHER = path.resolve(__dirname, '../../bin/vpn-shoot-client');

describe('vpn-shoot-client [root]: setup and root command on the real kernel', function () {
  let ns: TestNetns;
  let dir: string;
  const env = {
    PATH: process.env.PATH ?? '',
    IS_SHOOT_CLIENT: 'true',
    IP_FAMILIES: 'IPv4,IPv6',
    ENDPOINT: 'api.example.com',
    SEED_POD_NETWORK: '10.96.0.0/11',
    SHOOT_POD_NETWORKS: '100.96.0.0/11,fd00:96::/64',
    SHOOT_SERVICE_NETWORKS: '100.64.0.0/13',
    SHOOT_NODE_NETWORKS: '10.250.0.0/16',
  };

  before(function () {
    requireRoot(this);
    ns = TestNetns.create('shootcli');
    dir = mkdtempSync(path.join(tmpdir(), 'shoot-kernel-'));
  });
  after(() => {
    ns?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // Output goes through a file: the connect relay the root command starts keeps its stdout open.
  const run = (args: string[]): string => {
    const out = path.join(dir, 'out');
    const r = ns.exec('sh', ['-c', '"$0" "$@" >"$OUT" 2>&1', process.execPath, LAUNCHER, ...args], { ...env, OUT: out });
    const output = readFileSync(out, 'utf8');
    assert.equal(r.status, 0, output);
    return output;
  };
  const relays = (): string[] =>
    ns
      .sh('ss -Htln')
      .split('\n')
      .filter((l) => /\s127\.0\.0\.1:9505\s/.test(l));

  it('setup sets the shoot client sysctls (forwarding on, rp_filter off) and leaves disable_ipv6 alone', () => {
    ns.sh('sysctl -qw net.ipv6.conf.all.disable_ipv6=1');
    run(['setup']);
    assert.equal(ns.sh('sysctl -n net.ipv4.ip_forward').trim(), '1');
    assert.equal(ns.sh('sysctl -n net.ipv6.conf.all.forwarding').trim(), '1');
    assert.equal(ns.sh('sysctl -n net.ipv4.conf.all.rp_filter').trim(), '0');
    assert.equal(ns.sh('sysctl -n net.ipv4.ip_local_port_range').trim(), '1024\t65535');
    assert.equal(ns.sh('sysctl -n net.ipv6.conf.all.disable_ipv6').trim(), '1');
    ns.sh('sysctl -qw net.ipv6.conf.all.disable_ipv6=0');
  });

  it('root sets the rules once however often it runs, starts one connect relay, and writes a mode-0600 config', () => {
    assert.match(
      run(['--config-file', `${dir}/client.conf`, '--secrets-dir', `${dir}/secrets`]),
      /info started connect relay cmd=vpn-shoot-client listen=127.0.0.1:9505/,
    );
    const once = rules(ns);
    for (let i = 0; i < 3; i++) {
      assert.match(run(['--config-file', `${dir}/client.conf`, '--secrets-dir', `${dir}/secrets`]), /info connect relay already running/);
    }
    assert.equal(rules(ns), once);
    assert.equal(relays().length, 1);
    assert.match(readFileSync(`${dir}/client.conf`, 'utf8'), /^remote 127\.0\.0\.1 9505$/m);
    assert.equal(statSync(`${dir}/client.conf`).mode & 0o777, 0o600);
    assert.match(once, /-A PREROUTING -d 244.0.0.0\/11 -i tun0 .*-j NETMAP --to 100.96.0.0\/11/);
    assert.match(once, /-A POSTROUTING -o eth0 .*-j MASQUERADE/);
    assert.match(once, /TCPMSS --clamp-mss-to-pmtu/);
    assert.match(readFileSync(`${dir}/client.conf`, 'utf8'), /^up "\/bin\/sh -c '\/sbin\/ip route replace 241.0.0.0\/8 dev \$1' -- "$/m);
  });

  it('root removes the IPv6 addresses a previous OpenVPN left on a persistent tun0', () => {
    ns.sh('ip tuntap add dev tun0 mode tun && ip link set tun0 up && ip -6 addr add fd8f:6d53:b97a:1::1000/96 dev tun0 nodad');
    const out = run(['--config-file', `${dir}/client.conf`, '--secrets-dir', `${dir}/secrets`]);
    assert.match(out, /removed stale addresses/);
    assert.equal(ns.sh('ip -6 addr show dev tun0').trim(), '');
    assert.doesNotMatch(run(['--config-file', `${dir}/client.conf`, '--secrets-dir', `${dir}/secrets`]), /removed stale addresses/);
  });
});
