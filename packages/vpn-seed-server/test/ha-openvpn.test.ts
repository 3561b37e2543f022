import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { iptablesRules } from '@vpn/common/dist/test/support/cli';
import { TestNetns } from '@vpn/common/dist/test/support/netns';
import { requireRoot } from '@vpn/common/dist/test/support/privileges';

const LAUNCHER = path.resolve(__dirname, '../../bin/vpn-seed-server');
const SHOOT_CLIENT_ADDRESS = 'fd8f:6d53:b97a:1::100:b00';

function openssl(args: string[]): void {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.slice(0, 2).join(' ')}: ${r.stderr}`);
}

/** A throwaway CA (EC P-256) with the server's and two clients' certificates, and the tls-auth key, as `--secrets-dir` lays them out. */
function writeSecrets(dir: string): void {
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1'];
  openssl([
    'req',
    '-x509',
    ...key,
    '-keyout',
    `${dir}/ca.key`,
    '-out',
    `${dir}/ca.crt`,
    '-subj',
    '/CN=ha-test-ca',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  for (const [name, usage] of [
    ['vpn-seed-server', 'serverAuth'],
    ['vpn-seed-client', 'clientAuth'],
    ['vpn-shoot-client-0', 'clientAuth'],
  ]) {
    openssl([
      'req',
      '-x509',
      '-CA',
      `${dir}/ca.crt`,
      '-CAkey',
      `${dir}/ca.key`,
      ...key,
      '-keyout',
      `${dir}/${name}.key`,
      '-out',
      `${dir}/${name}.crt`,
      '-subj',
      `/CN=${name}`,
      '-addext',
      'basicConstraints=critical,CA:FALSE',
      '-addext',
      'keyUsage=critical,digitalSignature,keyAgreement',
      '-addext',
      `extendedKeyUsage=${usage}`,
    ]);
  }
  mkdirSync(`${dir}/secrets/vpn-server`, { recursive: true });
  mkdirSync(`${dir}/secrets/tlsauth`);
  copyFileSync(`${dir}/ca.crt`, `${dir}/secrets/vpn-server/ca.crt`);
  copyFileSync(`${dir}/vpn-seed-server.crt`, `${dir}/secrets/vpn-server/tls.crt`);
  copyFileSync(`${dir}/vpn-seed-server.key`, `${dir}/secrets/vpn-server/tls.key`);
  const genkey = spawnSync('openvpn', ['--genkey', 'tls-auth', `${dir}/secrets/tlsauth/vpn.tlsauth`], { encoding: 'utf8' });
  assert.equal(genkey.status, 0, genkey.stderr);
}

function clientConfig(dir: string, commonName: string, server: string): string {
  return [
    'client',
    'dev tap0',
    'proto tcp4-client',
    `remote ${server} 1194`,
    'verb 3',
    'auth SHA256',
    'data-ciphers AES-256-GCM',
    'remote-cert-tls server',
    `ca ${dir}/ca.crt`,
    `cert ${dir}/${commonName}.crt`,
    `key ${dir}/${commonName}.key`,
    `tls-auth ${dir}/secrets/tlsauth/vpn.tlsauth 1`,
    '',
  ].join('\n');
}

async function waitFor(what: string, check: () => boolean, detail: () => string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${detail()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The HA server config as the root command renders it, run by the real OpenVPN in tap mode, with a seed
 * client and a shoot client connecting from namespaces of their own.
 */
describe('[root] vpn-seed-server: the rendered HA config on the real OpenVPN', function () {
  this.timeout(60_000);
  let dir: string;
  let server: TestNetns | undefined;
  let seed: TestNetns | undefined;
  let shoot: TestNetns | undefined;
  const log = (name: string): string => readFileSync(`${dir}/${name}.log`, 'utf8');
  const started = (name: string): boolean => log(name).includes('Initialization Sequence Completed');

  const startOpenvpn = (ns: TestNetns, name: string): void => {
    writeFileSync(`${dir}/${name}.log`, '');
    const args = ['netns', 'exec', ns.name, 'openvpn', '--config', `${dir}/${name}.conf`, '--log', `${dir}/${name}.log`];
    spawn('ip', args, { stdio: 'ignore', detached: true }).unref();
  };

  before(async function () {
    requireRoot(this);
    dir = mkdtempSync(path.join(tmpdir(), 'ha-openvpn-'));
    writeSecrets(dir);
    server = TestNetns.create('hasrv');
    seed = TestNetns.create('haseed');
    shoot = TestNetns.create('hashoot');
    for (const [peer, subnet] of [
      [seed, 1],
      [shoot, 2],
    ] as const) {
      server.sh(`ip link add v${subnet} type veth peer name p${subnet} && ip link set p${subnet} netns ${peer.name}`);
      server.sh(`ip addr add 10.9.${subnet}.1/24 dev v${subnet} && ip link set v${subnet} up`);
      peer.sh(
        `ip addr add 10.9.${subnet}.2/24 dev p${subnet} && ip link set p${subnet} up && sysctl -qw net.ipv6.conf.default.accept_dad=0`,
      );
    }
    const env = {
      PATH: process.env.PATH ?? '',
      IS_HA: 'true',
      POD_NAME: 'vpn-seed-server-0',
      HA_VPN_CLIENTS: '1',
      OPENVPN_STATUS_PATH: `${dir}/status`,
      SEED_POD_NETWORK: '10.96.0.0/11',
    };
    const root = server.exec(
      process.execPath,
      [LAUNCHER, '--config-file', `${dir}/server.conf`, '--client-config-dir', `${dir}/ccd`, '--secrets-dir', `${dir}/secrets`],
      env,
    );
    assert.equal(root.status, 0, root.stderr);
    writeFileSync(`${dir}/seed.conf`, clientConfig(dir, 'vpn-seed-client', '10.9.1.1'));
    writeFileSync(`${dir}/shoot.conf`, clientConfig(dir, 'vpn-shoot-client-0', '10.9.2.1'));
    startOpenvpn(server, 'server');
    const tails =
      (...names: string[]) =>
      () =>
        names.map((n) => `${n}: ${log(n).split('\n').slice(-8).join('\n')}`).join('\n');
    await waitFor('the server', () => started('server'), tails('server'));
    startOpenvpn(seed, 'seed');
    startOpenvpn(shoot, 'shoot');
    await waitFor('both clients', () => started('seed') && started('shoot'), tails('server', 'seed', 'shoot'));
  });

  after(() => {
    for (const ns of [server, seed, shoot]) ns?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('connects a seed and a shoot client and switches traffic between them', () => {
    const ping = seed!.exec('ping', ['-6', '-c', '2', '-i', '0.2', '-W', '5', SHOOT_CLIENT_ADDRESS]);
    assert.equal(ping.status, 0, ping.stdout + ping.stderr);
  });

  it('its up hook installs the firewall rules but routes nothing into the tap', () => {
    assert.match(iptablesRules(server!), /-A INPUT -i tap0 .*RELATED,ESTABLISHED/);
    const routes = server!.sh('ip route show dev tap0; ip -6 route show dev tap0').split('\n').filter(Boolean);
    assert.deepEqual(
      routes.filter((r) => !r.includes('proto kernel')),
      [],
    );
  });

  it('learns at most 4 MAC addresses from a client that sends from ever new ones', () => {
    const seedAddress = /inet6 (\S+)\/112 scope global/.exec(seed!.sh('ip -6 addr show dev tap0'))?.[1];
    assert.ok(seedAddress, 'the seed client has a pool address');
    for (let k = 1; k <= 6; k++) {
      shoot!.sh(`ip link set tap0 address 02:00:00:00:00:0${k}`);
      shoot!.exec('ping', ['-6', '-c', '1', '-W', '1', seedAddress]);
    }
    const learned = new Set([...log('server').matchAll(/MULTI: Learn: (\S+) -> vpn-shoot-client-0\//g)].map((m) => m[1]));
    assert.equal(learned.size, 4, [...learned].join(' '));
    assert.match(log('server'), /route quota \(4\) exceeded for vpn-shoot-client-0/);
  });
});
