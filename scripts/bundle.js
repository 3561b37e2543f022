#!/usr/bin/env node
'use strict';
/**
 * Bundles each program into one JavaScript file for the images: dist/bundle/<program>/<program>.js, plus
 * the one file that cannot be JavaScript, the netlink package's native addon (N-API, so any Node >= 10).
 * Run after `tsc -b`; the bundle starts from the same compiled main() the npm launchers call.
 *
 * The bundle's first line names Debian's node (`#!/usr/bin/node`). It lets the kernel run the file itself,
 * which is what the server's OpenVPN hooks need (no PATH there); an image whose node lives elsewhere
 * rewrites that line at build time.
 */
const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'dist', 'bundle');
const PROGRAMS = ['vpn-seed-server', 'vpn-shoot-client'];
const ADDON = 'netlink.node';
const arch = process.env.TARGET_ARCH || process.arch;

/**
 * netlink loads its addon with node-gyp-build relative to its own directory, which a bundle no longer has;
 * point it at the copy beside the bundle instead (require() resolves from the bundle's real path).
 */
const netlinkAddon = {
  name: 'netlink-addon',
  setup(build) {
    build.onLoad({ filter: /[\\/]netlink[\\/]dist[\\/]raw\.js$/ }, async (args) => {
      const source = await fs.promises.readFile(args.path, 'utf8');
      const loader = "require('node-gyp-build')(__dirname + '/..')";
      if (!source.includes(loader)) throw new Error(`${args.path}: the addon loader changed; update scripts/bundle.js`);
      return { contents: source.replace(loader, `require('./${ADDON}')`), loader: 'js' };
    });
  },
};

async function bundle(program) {
  const dir = path.join(OUT, program);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const outfile = path.join(dir, `${program}.js`);
  await esbuild.build({
    stdin: {
      contents: `require('./packages/${program}/dist/src/main.js').main(process.argv.slice(2));`,
      resolveDir: ROOT,
      sourcefile: `${program}-entry.js`,
      loader: 'js',
    },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile,
    banner: { js: '#!/usr/bin/node' },
    external: [`./${ADDON}`],
    plugins: [netlinkAddon],
    legalComments: 'none',
    logLevel: 'warning',
  });
  fs.chmodSync(outfile, 0o755);
  const addon = path.join(ROOT, 'node_modules', 'netlink', 'prebuilds', `linux-${arch}`, 'node.napi.node');
  fs.copyFileSync(addon, path.join(dir, ADDON));
  return `${path.relative(ROOT, outfile)} ${Math.round(fs.statSync(outfile).size / 1024)} KiB`;
}

Promise.all(PROGRAMS.map(bundle)).then(
  (lines) => lines.forEach((l) => console.log(`bundled ${l}`)),
  (err) => {
    console.error(`bundle: ${err.message}`);
    process.exit(1);
  },
);
