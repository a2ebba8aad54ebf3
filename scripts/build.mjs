// Bundles each entry point into one CommonJS file with esbuild, so a fresh process loads
// a single file instead of resolving a tree of modules. `node scripts/build.mjs [package…]`.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** package → entries. Native modules stay external: they cannot be bundled. */
const ENTRIES = {
  capture: [{ in: 'src/main.ts', out: 'dist/bird-capture.cjs', external: ['@duckdb/node-api'] }],
  cli: [{ in: 'src/main.ts', out: 'dist/bird.cjs', external: ['@duckdb/node-api'] }],
  'sync-worker': [{ in: 'src/main.ts', out: 'dist/bird-sync.cjs', external: ['@duckdb/node-api'] }],
};

const wanted = process.argv.slice(2);
const packages = wanted.length > 0 ? wanted : Object.keys(ENTRIES);
const { existsSync } = await import('node:fs');

for (const pkg of packages) {
  for (const entry of ENTRIES[pkg] ?? []) {
    const pkgDir = join(root, 'packages', pkg);
    if (!existsSync(join(pkgDir, entry.in))) continue;
    await build({
      entryPoints: [join(pkgDir, entry.in)],
      outfile: join(pkgDir, entry.out),
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      minify: false,
      sourcemap: false,
      legalComments: 'none',
      external: entry.external,
      logLevel: 'warning',
    });
  }
}
