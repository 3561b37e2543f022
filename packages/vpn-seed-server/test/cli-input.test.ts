import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { SEED_SERVER_COMMANDS, SEED_SERVER_ENVIRONMENT, variablesOf } from '@vpn/common';
import {
  assertRejected as assertRejectedAs,
  ISO_TIMESTAMP,
  runCli as runLauncher,
  type CliResult,
} from '@vpn/common/dist/test/support/cli';

const LAUNCHER = path.resolve(__dirname, '../../bin/vpn-seed-server');
const runCli = (args: string[], env: Record<string, string>): CliResult => runLauncher(LAUNCHER, args, env);
const assertRejected = (r: CliResult, input: string): void => assertRejectedAs(r, input, ISO_TIMESTAMP);

describe('vpn-seed-server: invalid input', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'seed-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const rootArgs = (): string[] => [
    '--config-file',
    path.join(dir, 'server.conf'),
    '--client-config-dir',
    path.join(dir, 'ccd'),
    '--secrets-dir',
    dir,
  ];
  const valid = { OPENVPN_STATUS_PATH: '/srv/status/openvpn.status' };

  const cases: [string, Record<string, string>][] = [
    ['SHOOT_SERVICE_NETWORKS', { SHOOT_SERVICE_NETWORKS: '100.64.0.0/33' }],
    ['SHOOT_POD_NETWORKS', { SHOOT_POD_NETWORKS: '100.96.0.0/11, 100.128.0.0/11' }],
    ['SHOOT_NODE_NETWORKS', { SHOOT_NODE_NETWORKS: 'banana' }],
    ['SEED_POD_NETWORK', { SEED_POD_NETWORK: '10.96.0.0/11,10.128.0.0/11' }],
    ['VPN_NETWORK', { VPN_NETWORK: 'fd8f:6d53:b97a:1::/64' }],
    ['VPN_NETWORK', { VPN_NETWORK: '10.0.0.0/8' }],
    ['OPENVPN_STATUS_PATH', { OPENVPN_STATUS_PATH: '' }],
    ['IS_HA', { IS_HA: 'banana' }],
    ['IS_HA', { IS_HA: 'true', POD_NAME: 'vpn-seed-server-0' }],
    ['IS_HA', { IS_HA: 'false', POD_NAME: 'vpn-seed-server-1' }],
    ['HA_VPN_CLIENTS', { HA_VPN_CLIENTS: 'two' }],
    ['OPENVPN_AUTO_MTU', { OPENVPN_AUTO_MTU: 'yes' }],
  ];
  for (const [input, env] of cases) {
    it(`root: ${input}=${JSON.stringify(Object.values(env)[0])} exits 1 naming it and writes nothing`, () => {
      assertRejected(runCli(rootArgs(), { ...valid, ...env }), input);
      assert.deepEqual(readdirSync(dir), []);
    });
  }

  it('readiness and liveness: environment errors exit 1 naming the variable', () => {
    assertRejected(runCli(['readiness'], {}), 'OPENVPN_STATUS_PATH');
    assertRejected(runCli(['liveness'], { ...valid, VPN_NETWORK: 'nope' }), 'VPN_NETWORK');
  });

  it('readiness and liveness: an empty status file (OpenVPN just started) is ready in non-HA but not alive', () => {
    const status = path.join(dir, 'openvpn.status');
    writeFileSync(status, '');
    assert.equal(runCli(['readiness'], { OPENVPN_STATUS_PATH: status }).status, 0);
    const liveness = runCli(['liveness'], { OPENVPN_STATUS_PATH: status });
    assert.equal(liveness.status, 1);
    assert.match(liveness.stdout, /not alive: the status file is empty/);
  });

  it('readiness and liveness: a missing status file is "not ready"/"not alive", exit 1', () => {
    const r = runCli(['liveness'], { OPENVPN_STATUS_PATH: path.join(dir, 'missing.status') });
    assert.equal(r.status, 1);
    assert.match(r.stdout, /not alive/);
  });

  const flagCases: [string, string[]][] = [
    ['mode', ['firewall', '--mode', 'sideways', '--device', 'tun0']],
    ['mode', ['firewall', '--device', 'tun0']],
    ['device', ['firewall', '--mode', 'up']],
    ['--device', ['firewall', '--mode', 'down', '--device', 'tun0; rm -rf /']],
    ['--shoot-network', ['firewall', '--mode', 'up', '--device', 'tun0', '--shoot-network=242.0.0.0/8,not-a-cidr']],
    ['--seed-pod-network', ['firewall', '--mode', 'up', '--device', 'tun0', '--seed-pod-network=10.96.0.0/40']],
    ['--listen', ['exporter', '--listen', 'localhost']],
    ['bogus', ['bogus']],
    ['bogus-flag', ['--bogus-flag']],
  ];
  for (const [input, args] of flagCases) {
    it(`flags: ${args.join(' ')} exits 1 naming ${input}`, () => {
      assertRejected(runCli(args, valid), input);
    });
  }
});

describe('vpn-seed-server --help', () => {
  it('lists every subcommand, path flag and environment variable', () => {
    const r = runCli(['--help'], {});
    assert.equal(r.status, 0);
    for (const word of [
      'setup',
      'firewall',
      'readiness',
      'liveness',
      'exporter',
      '--config-file',
      '--client-config-dir',
      '--secrets-dir',
    ]) {
      assert.ok(r.stdout.includes(word), word);
    }
    for (const { name } of Object.values(SEED_SERVER_ENVIRONMENT)) assert.ok(r.stdout.includes(`  ${name} `), name);
  });

  for (const command of SEED_SERVER_COMMANDS.filter((c) => c !== 'root')) {
    it(`${command} --help lists exactly the variables the table gives it`, () => {
      const r = runCli([command, '--help'], {});
      assert.equal(r.status, 0);
      assert.deepEqual(
        environmentNames(r.stdout),
        variablesOf(SEED_SERVER_ENVIRONMENT, command).map((v) => v.name),
      );
    });
  }

  it('firewall --help lists its flags', () => {
    const r = runCli(['firewall', '--help'], {});
    assert.equal(r.status, 0);
    for (const flag of ['--mode', '--device', '--shoot-network', '--seed-pod-network']) assert.ok(r.stdout.includes(flag), flag);
  });
});

/** The variable names of the help's environment section (`  NAME  type, default`). */
function environmentNames(help: string): string[] {
  return [...help.slice(help.indexOf('Environment of')).matchAll(/^ {2}([A-Z][A-Z0-9_]*) /gm)].map((m) => m[1]);
}
