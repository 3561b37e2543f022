import type { Context } from 'mocha';

/**
 * Kernel tests need root (network namespaces, iptables). Outside CI they skip with a reason when not
 * root; under CI=true a missing privilege is a failure, so CI can never silently skip them.
 */
export function requireRoot(ctx: Context): void {
  if (process.getuid?.() === 0) return;
  if (process.env.CI === 'true') {
    throw new Error('this test needs root (network namespaces, iptables) and CI=true forbids skipping it');
  }
  if (!explained) {
    explained = true;
    process.stdout.write('  (tests marked [root] and [e2e] are skipped: they need root for network namespaces and iptables)\n');
  }
  ctx.skip();
}

let explained = false;
