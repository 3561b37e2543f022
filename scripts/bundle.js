#!/usr/bin/env node
'use strict';
/**
 * Bundles each program for the images into dist/bundle/<program>/: the program file <program>.js, one file per
 * module its main.ts imports lazily (each subcommand and the argument parser) under lib/, and there the one
 * file that cannot be JavaScript, the netlink package's native addon (N-API, so any Node >= 10).
 *
 * Built from the TypeScript sources, so that esbuild sees ES modules and keeps only what each file uses:
 * a controller's file holds the controller, not the firewall, the exporter or yargs. Start-up and resident
 * memory follow what a process loads (bench/startup.ts, bench/ha-failover.ts), which is why the subcommands
 * are files of their own rather than lazily initialised parts of one file.
 *
 * The program file's first line names Debian's node (`#!/usr/bin/node`). It lets the kernel run the file
 * itself, which is what the server's OpenVPN hooks need (no PATH there); an image whose node lives elsewhere
 * rewrites that line at build time.
 */
const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'dist', 'bundle');
const PROGRAMS = ['vpn-seed-server', 'vpn-shoot-client'];
const ADDON = 'netlink.node';
const LAZY_DIR = 'lib';
const arch = process.env.TARGET_ARCH || process.arch;

/**
 * netlink loads its addon with node-gyp-build relative to its own directory, which a bundle no longer has;
 * point it at the copy beside the file instead (require() resolves from the bundle's real path).
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

/** The modules main.ts imports with `await import('./…')`: each becomes lib/<name>.js. */
function lazyModules(program) {
  const source = fs.readFileSync(path.join(ROOT, 'packages', program, 'src', 'main.ts'), 'utf8');
  const specifiers = [...source.matchAll(/\bimport\('(\.\/[^']+)'\)/g)].map((m) => m[1]);
  if (specifiers.length === 0) throw new Error(`packages/${program}/src/main.ts: no lazy imports found; update scripts/bundle.js`);
  const lazy = new Map(specifiers.map((s) => [s, path.basename(s)]));
  if (new Set(lazy.values()).size !== lazy.size) throw new Error(`packages/${program}/src/main.ts: two lazy imports share a file name`);
  return lazy;
}

/** In the program file, a lazy import loads its own file at run time instead of being inlined. */
function lazyImports(lazy) {
  return {
    name: 'lazy-imports',
    setup(build) {
      build.onResolve({ filter: /^\.\// }, (args) => {
        if (args.kind !== 'dynamic-import') return undefined;
        const name = lazy.get(args.path);
        if (name === undefined) throw new Error(`${args.importer}: lazy import ${args.path} is not one scripts/bundle.js knows`);
        return { path: `./${LAZY_DIR}/${name}.js`, external: true };
      });
    },
  };
}

const COMMON = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // Our packages' sources instead of their tsc output: ES modules, which esbuild can shake.
  alias: { '@vpn/common': './packages/common/src/index.ts' },
  external: [`./${ADDON}`],
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
  // Node's ESM loader, which an import() would start, costs start-up and resident memory; require() does not.
  supported: { 'dynamic-import': false },
};

async function bundle(program) {
  const dir = path.join(OUT, program);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, LAZY_DIR), { recursive: true });
  const lazy = lazyModules(program);
  const outfile = path.join(dir, `${program}.js`);
  const main = await esbuild.build({
    ...COMMON,
    stdin: {
      contents: `import { main } from './packages/${program}/src/main';\nmain(process.argv.slice(2));`,
      resolveDir: ROOT,
      sourcefile: `${program}-entry.ts`,
      loader: 'ts',
    },
    outfile,
    banner: { js: '#!/usr/bin/node' },
    plugins: [lazyImports(lazy)],
  });
  const parts = await esbuild.build({
    ...COMMON,
    absWorkingDir: ROOT,
    entryPoints: Object.fromEntries(
      [...lazy].map(([specifier, name]) => [name, path.join('packages', program, 'src', `${specifier.slice(2)}.ts`)]),
    ),
    outdir: path.join(dir, LAZY_DIR),
    plugins: [netlinkAddon],
  });
  fs.chmodSync(outfile, 0o755);
  const addon = path.join(ROOT, 'node_modules', 'netlink', 'prebuilds', `linux-${arch}`, 'node.napi.node');
  fs.copyFileSync(addon, path.join(dir, LAZY_DIR, ADDON));
  const outputs = { ...main.metafile.outputs, ...parts.metafile.outputs };
  const kib = (file) => Math.round((outputs[path.relative(ROOT, file)]?.bytes ?? NaN) / 1024);
  const files = [outfile, ...[...lazy.values()].map((name) => path.join(dir, LAZY_DIR, `${name}.js`))];
  return files.map((f) => `${path.relative(ROOT, f)} ${kib(f)} KiB`).join('\n');
}

Promise.all(PROGRAMS.map(bundle)).then(
  (lines) => lines.forEach((l) => console.log(l)),
  (err) => {
    console.error(`bundle: ${err.message}`);
    process.exit(1);
  },
);
