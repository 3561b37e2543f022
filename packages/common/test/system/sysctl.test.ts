import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CLIENT_COMMON_SYSCTLS,
  HA_CLIENT_SYSCTLS,
  SEED_CLIENT_SYSCTLS,
  SERVER_SETUP_SYSCTLS,
  SHOOT_CLIENT_SYSCTLS,
  applySysctls,
  clientSetupSysctls,
  readSysctl,
  writeSysctl,
} from '../../src/system/sysctl';

describe('sysctl', () => {
  let root: string;

  /** A fake /proc/sys: dotted name -> current content (as the kernel shows it, with a newline). */
  async function tree(entries: Record<string, string>): Promise<void> {
    for (const [name, value] of Object.entries(entries)) {
      const file = path.join(root, ...name.split('.'));
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, `${value}\n`);
    }
  }

  const content = (relative: string): Promise<string> => fs.readFile(path.join(root, relative), 'utf8');

  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'sysctl-'));
  });

  afterEach(() => fs.rm(root, { recursive: true, force: true }));

  describe('read and write', () => {
    it('maps dotted names to paths under the root and strips the trailing newline', async () => {
      await tree({ 'net.ipv4.ip_forward': '0' });
      assert.equal(await readSysctl('net.ipv4.ip_forward', { root }), '0');
      await writeSysctl('net.ipv4.ip_forward', '1', { root });
      assert.equal(await content('net/ipv4/ip_forward'), '1\n');
      assert.equal(await readSysctl('net.ipv4.ip_forward', { root }), '1');
    });

    it('replaces a longer old value completely', async () => {
      await tree({ 'net.ipv4.tcp_wmem': '4096\t16384\t4194304' });
      await writeSysctl('net.ipv4.tcp_wmem', '1', { root });
      assert.equal(await content('net/ipv4/tcp_wmem'), '1\n');
    });

    it('takes slash-separated names for devices whose name contains a dot', async () => {
      await fs.mkdir(path.join(root, 'net/ipv4/conf/eth0.100'), { recursive: true });
      await fs.writeFile(path.join(root, 'net/ipv4/conf/eth0.100/rp_filter'), '1\n');
      await writeSysctl('net/ipv4/conf/eth0.100/rp_filter', '0', { root });
      assert.equal(await content('net/ipv4/conf/eth0.100/rp_filter'), '0\n');
    });

    it('names the sysctl and the value when it fails, and never creates a parameter', async () => {
      await assert.rejects(writeSysctl('net.ipv4.ip_forward', '1', { root }), (err: Error) => {
        assert.match(err.message, /^failed to set sysctl net\.ipv4\.ip_forward="1": ENOENT/);
        return true;
      });
      await assert.rejects(fs.stat(path.join(root, 'net/ipv4/ip_forward')), { code: 'ENOENT' });
      await assert.rejects(
        readSysctl('net.ipv4.tcp_fin_timeout', { root }),
        /^Error: failed to read sysctl net\.ipv4\.tcp_fin_timeout: ENOENT/,
      );
    });

    it('refuses names that could leave the root and values with newlines', async () => {
      await tree({ 'net.ipv4.ip_forward': '0' });
      for (const name of ['net..ipv4', '../etc/passwd', 'net/../../x', 'net.ipv4.ip forward', '']) {
        await assert.rejects(readSysctl(name, { root }), /invalid sysctl name/, name);
      }
      await assert.rejects(writeSysctl('net.ipv4.ip_forward', '1\n0', { root }), /ip_forward="1\\n0": the value contains a newline/);
    });
  });

  describe('applySysctls', () => {
    it('writes in order and reports what changed, what already was right and what was skipped', async () => {
      await tree({
        'net.ipv4.ip_local_port_range': '32768\t60999',
        'net.ipv4.tcp_wmem': '65536\t12582912\t16777216',
        'net.ipv6.conf.all.disable_ipv6': '0',
      });
      const outcomes = await applySysctls(
        [
          { name: 'net.ipv4.ip_local_port_range', value: '1024 65535' },
          { name: 'net.ipv4.tcp_wmem', value: '65536\t12582912\t16777216' },
          { name: 'net.ipv6.conf.all.disable_ipv6', value: '0', onlyIfCurrently: '1' },
        ],
        { root },
      );
      assert.deepEqual(outcomes, [
        { name: 'net.ipv4.ip_local_port_range', value: '1024 65535', result: 'set' },
        { name: 'net.ipv4.tcp_wmem', value: '65536\t12582912\t16777216', result: 'unchanged' },
        { name: 'net.ipv6.conf.all.disable_ipv6', value: '0', result: 'skipped', reason: 'current value is "0"' },
      ]);
      assert.equal(await content('net/ipv4/ip_local_port_range'), '1024 65535\n');
    });

    it('treats a multi-value parameter that reads back tab-separated as unchanged', async () => {
      await tree({ 'net.ipv4.ip_local_port_range': '1024\t65535' });
      const [outcome] = await applySysctls([{ name: 'net.ipv4.ip_local_port_range', value: '1024 65535' }], { root });
      assert.equal(outcome?.result, 'unchanged');
    });

    it('enables IPv6 only where it is disabled', async () => {
      await tree({ 'net.ipv6.conf.all.disable_ipv6': '1' });
      assert.deepEqual(await applySysctls(SEED_CLIENT_SYSCTLS, { root }), [
        { name: 'net.ipv6.conf.all.disable_ipv6', value: '0', result: 'set' },
      ]);
      assert.equal(await content('net/ipv6/conf/all/disable_ipv6'), '0\n');
    });

    it('stops at the first missing parameter, naming it and the value', async () => {
      await tree({ 'net.ipv4.conf.all.log_martians': '1' });
      await assert.rejects(
        applySysctls(CLIENT_COMMON_SYSCTLS, { root }),
        /^Error: failed to set sysctl net\.ipv4\.conf\.default\.log_martians="0": ENOENT/,
      );
      assert.equal(await content('net/ipv4/conf/all/log_martians'), '0\n', 'the ones before were applied');
    });

    it('skips conntrack timeouts, with the reason, when the kernel has no connection tracking', async () => {
      await tree({
        'net.ipv4.ip_local_port_range': '32768\t60999',
        'net.ipv4.tcp_tw_reuse': '2',
        'net.ipv4.tcp_fin_timeout': '60',
        'net.ipv4.ip_forward': '0',
        'net.ipv6.conf.all.forwarding': '0',
      });
      const outcomes = await applySysctls(SHOOT_CLIENT_SYSCTLS, { root });
      const skipped = outcomes.filter((o) => o.result === 'skipped');
      assert.equal(skipped.length, 8);
      assert.ok(skipped.every((o) => o.name.startsWith('net.netfilter.nf_conntrack_tcp_timeout_')));
      assert.match(skipped[0] && 'reason' in skipped[0] ? skipped[0].reason : '', /connection tracking is not loaded/);
      assert.equal(await content('net/ipv4/ip_forward'), '1\n');
      assert.equal(await content('net/ipv6/conf/all/forwarding'), '1\n');
    });
  });

  describe('the reference sets', () => {
    const pairs = (changes: readonly { name: string; value: string }[]): string[] => changes.map((c) => `${c.name}=${c.value}`);

    it('client common: martians and rp_filter off, 64 KiB minimum TCP buffers (tab-separated)', () => {
      assert.deepEqual(pairs(CLIENT_COMMON_SYSCTLS), [
        'net.ipv4.conf.all.log_martians=0',
        'net.ipv4.conf.default.log_martians=0',
        'net.ipv4.conf.all.rp_filter=0',
        'net.ipv4.conf.default.rp_filter=0',
        'net.ipv4.tcp_wmem=65536\t12582912\t16777216',
        'net.ipv4.tcp_rmem=65536\t12582912\t16777216',
      ]);
    });

    it('shoot client: the reference order, and never disable_ipv6', () => {
      assert.deepEqual(pairs(SHOOT_CLIENT_SYSCTLS), [
        'net.ipv4.ip_local_port_range=1024 65535',
        'net.ipv4.tcp_tw_reuse=1',
        'net.ipv4.tcp_fin_timeout=30',
        'net.netfilter.nf_conntrack_tcp_timeout_established=600',
        'net.netfilter.nf_conntrack_tcp_timeout_syn_sent=30',
        'net.netfilter.nf_conntrack_tcp_timeout_syn_recv=30',
        'net.netfilter.nf_conntrack_tcp_timeout_fin_wait=30',
        'net.netfilter.nf_conntrack_tcp_timeout_time_wait=30',
        'net.netfilter.nf_conntrack_tcp_timeout_close_wait=30',
        'net.netfilter.nf_conntrack_tcp_timeout_unacknowledged=60',
        'net.netfilter.nf_conntrack_tcp_timeout_max_retrans=120',
        'net.ipv4.ip_forward=1',
        'net.ipv6.conf.all.forwarding=1',
      ]);
      const shoot = clientSetupSysctls({ isShootClient: true, ha: true });
      assert.ok(!shoot.some((c) => c.name.includes('disable_ipv6')));
    });

    it('seed client and server setup: disable_ipv6 1 -> 0 only', () => {
      const enable = [{ name: 'net.ipv6.conf.all.disable_ipv6', value: '0', onlyIfCurrently: '1' }];
      assert.deepEqual(SEED_CLIENT_SYSCTLS, enable);
      assert.deepEqual(SERVER_SETUP_SYSCTLS, enable);
    });

    it('composes vpn-client setup: common, role, then for HA accept_dad=0 and no router advertisements or redirects', () => {
      assert.deepEqual(pairs(HA_CLIENT_SYSCTLS), [
        'net.ipv6.conf.all.accept_dad=0',
        'net.ipv6.conf.default.accept_dad=0',
        'net.ipv6.conf.all.accept_ra=0',
        'net.ipv6.conf.all.accept_redirects=0',
        'net.ipv4.conf.all.accept_redirects=0',
        'net.ipv6.conf.default.accept_ra=0',
        'net.ipv6.conf.default.accept_redirects=0',
        'net.ipv4.conf.default.accept_redirects=0',
      ]);
      assert.deepEqual(clientSetupSysctls({ isShootClient: false, ha: false }), [...CLIENT_COMMON_SYSCTLS, ...SEED_CLIENT_SYSCTLS]);
      assert.deepEqual(clientSetupSysctls({ isShootClient: true, ha: true }), [
        ...CLIENT_COMMON_SYSCTLS,
        ...SHOOT_CLIENT_SYSCTLS,
        ...HA_CLIENT_SYSCTLS,
      ]);
    });
  });
});
