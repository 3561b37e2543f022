import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../lib/lab-programs';

/**
 * The files the images carry (scripts/bundle.js): each program file loads a subcommand's own file only when
 * that subcommand runs, and a long-running controller's file holds neither the argument parser nor the
 * parts of prom-client it does not serve (bench/ha-failover.ts measures what that saves).
 */
const BUNDLE = path.join(REPO_ROOT, 'dist', 'bundle');
const program = (name: string): string => path.join(BUNDLE, name, `${name}.js`);
const part = (name: string, file: string): string => path.join(BUNDLE, name, 'lib', `${file}.js`);
const { version: VERSION } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };

function run(file: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [file, ...args], { env: { PATH: process.env.PATH }, encoding: 'utf8', timeout: 10_000 });
}

describe('the bundled programs', function () {
  this.timeout(60_000);
  before(() => {
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'bundle.js')], { stdio: 'pipe' });
  });

  for (const name of ['vpn-seed-server', 'vpn-shoot-client']) {
    it(`${name}: --version and --help go through the parser's own file`, () => {
      assert.equal(run(program(name), ['--version']).stdout.trim(), VERSION);
      assert.match(run(program(name), ['--help']).stdout, /Commands:/);
    });
  }

  it('a bare subcommand loads its file and fails on bad input with one line naming it', () => {
    const probe = run(program('vpn-seed-server'), ['readiness']);
    assert.equal(probe.status, 1);
    assert.match(probe.stderr.trim(), /^\S+ \S+ error OPENVPN_STATUS_PATH: must be set$/);
    const controller = spawnSync(process.execPath, [program('vpn-shoot-client'), 'path-controller'], {
      env: { PATH: process.env.PATH, POD_IP: 'banana' },
      encoding: 'utf8',
      timeout: 10_000,
    });
    assert.equal(controller.status, 1);
    assert.match(controller.stderr, /POD_IP/);
  });

  it("the controllers' files load, native netlink addon included", () => {
    for (const file of ['path-controller', 'tunnel-controller']) {
      const loaded = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(part('vpn-shoot-client', file))})`], {
        encoding: 'utf8',
      });
      assert.equal(loaded.status, 0, loaded.stderr);
    }
  });

  it("the controllers' files hold neither yargs nor prom-client's push gateway, cluster and default metrics", () => {
    for (const file of ['path-controller', 'tunnel-controller']) {
      const source = readFileSync(part('vpn-shoot-client', file), 'utf8');
      for (const absent of [
        'node_modules/yargs',
        'prom-client/lib/pushgateway',
        'prom-client/lib/cluster',
        'prom-client/lib/defaultMetrics',
      ]) {
        assert.ok(!source.includes(absent), `${file}.js includes ${absent}`);
      }
      assert.ok(source.includes('prom-client/lib/registry'), `${file}.js has no prom-client registry`);
    }
  });
});
