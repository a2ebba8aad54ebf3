// Bundles each entry point into one CommonJS file with esbuild, so a fresh process loads
// a single file instead of resolving a tree of modules. `node scripts/build.mjs [package…]`.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { basename, dirname, join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Where each bundle goes, relative to the root: named once, for every consumer (packages/core/src/install-layout.ts). */
const INSTALL = JSON.parse(readFileSync(join(root, 'packages', 'core', 'src', 'install-layout.json'), 'utf8'));

/**
 * package → entries, `out` relative to the root. Native modules stay external (they cannot be bundled), and so does the AWS SDK.
 * An entry with `bundles` becomes a loader (`out`) that runs one of them with its V8 code
 * cache (see writeCodeCacheLoader), so a fresh process skips compiling it.
 */
const ENTRIES = {
  // Starts once per command: minified, and `--drain` (the hooks' background drainer) is a
  // bundle of its own, so a `--cmd` capture neither evaluates the drainer's code nor reads
  // its compiled functions from the cache (~0.4 ms of each capture, bench/capture-start.md).
  capture: [
    {
      out: INSTALL.captureBundle,
      external: ['@duckdb/node-api', '@duckdb/node-bindings'],
      // Loaded only by duckdb mode, through a dynamic import: a static import path from a capture
      // entry would load DuckDB (~100 ms) at every command's capture, so it fails the build.
      neverAtStart: ['@duckdb/node-api', '@duckdb/node-bindings'],
      minify: true,
      bundles: [
        { in: 'src/drain-main.ts', name: 'bird-capture-drain', when: "process.argv[2] === '--drain'", train: trainDrain },
        { in: 'src/main.ts', name: 'bird-capture', train: trainCapture },
      ],
    },
  ],
  // The AWS SDK stays external too: bundled, it made every `bird` start (even --help) ~2x slower.
  // sql.js (bird import atuin) finds its .wasm beside its own files, not beside a bundle.
  // A code cache saves ~7 ms of every `bird` start: each Tab, Ctrl-R and `bird history`.
  cli: [{ out: INSTALL.cliBundle, external: ['@duckdb/node-api', '@duckdb/node-bindings', '@aws-sdk/client-s3', '@aws-sdk/lib-storage', 'sql.js'], bundles: [{ in: 'src/main.ts', name: 'bird', train: trainCli }] }],
  // Every pull and push is a fresh process: compiling its 0.7 MB bundle cost ~35 ms of a ~360 ms
  // pull (bench/pull-scale.md), which a code cache saves.
  'sync-worker': [{ out: INSTALL.syncBundle, external: ['@duckdb/node-api', '@duckdb/node-bindings', '@aws-sdk/client-s3', '@aws-sdk/lib-storage'], bundles: [{ in: 'src/main.ts', name: 'bird-sync', train: trainSync }] }],
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((pkg) => !Object.hasOwn(ENTRIES, pkg));
if (unknown.length > 0) {
  console.error(`build.mjs: unknown package ${unknown.map((p) => JSON.stringify(p)).join(', ')}; the packages with entry points are ${Object.keys(ENTRIES).join(', ')}.`);
  process.exit(1);
}
const packages = wanted.length > 0 ? wanted : Object.keys(ENTRIES);
const define = { __BIRD_CONFIG_PARSER__: JSON.stringify(configParserStamp()) };

for (const pkg of packages) {
  for (const entry of ENTRIES[pkg]) {
    const pkgDir = join(root, 'packages', pkg);
    const outfile = join(root, entry.out);
    if (!entry.bundles) {
      writeIfChanged(outfile, await bundle(join(pkgDir, entry.in), outfile, entry));
      continue;
    }
    // The tests rebuild before they run, while other tests' shells run bird: a bundle that did
    // not change is left alone (not rewritten in place under a reader), and so is its cache.
    const untrained = [];
    for (const b of entry.bundles) {
      const file = join(dirname(outfile), `${b.name}.bundle.js`);
      const changed = writeIfChanged(file, await bundle(join(pkgDir, b.in), file, entry));
      if (changed || !existsSync(join(dirname(outfile), cacheFileName(dirname(outfile), b.name)))) untrained.push(b);
    }
    writeCodeCacheLoader(outfile, entry.bundles);
    for (const b of untrained) trainCodeCache(outfile, b);
  }
}
await writeHookInstallFiles();

/**
 * hooks/install.SHELL: the layout, as the hooks read it (see packages/cli/src/hook-install-file.ts).
 * Committed too, so that a clone's hook works before its first build, and rewritten here only
 * when it changed.
 */
async function writeHookInstallFiles() {
  const { hookInstallFile } = await runModule(join(root, 'packages', 'cli', 'src', 'hook-install-file.ts'));
  for (const shell of ['zsh', 'bash', 'fish']) writeIfChanged(join(root, INSTALL.hooks, `install.${shell}`), Buffer.from(hookInstallFile(shell)));
}

/** The exports of TypeScript module `file`, bundled here and run in this process. */
async function runModule(file) {
  const built = await build({ entryPoints: [file], write: false, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' });
  const module = { exports: {} };
  new Function('module', 'exports', 'require', built.outputFiles[0].text)(module, module.exports, createRequire(import.meta.url));
  return module.exports;
}

/** One CommonJS file of `source` and everything it imports. */
async function bundle(source, outfile, entry) {
  const built = await build({
    entryPoints: [source],
    outfile,
    write: false,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: entry.minify ?? false,
    sourcemap: false,
    legalComments: 'none',
    external: entry.external,
    define,
    metafile: true,
    logLevel: 'warning',
  });
  for (const module of entry.neverAtStart ?? []) {
    const chain = staticImportChain(built.metafile, relative(process.cwd(), source), module);
    if (chain === null) continue;
    console.error(`build.mjs: ${relative(root, source)} would load ${module} at start, through ${chain.join(' -> ')}; import it dynamically where it is needed.`);
    process.exit(1);
  }
  return built.outputFiles[0].contents;
}

/** The chain of static imports from `entry` to `module` in an esbuild metafile, or null when there is none. */
function staticImportChain(metafile, entry, module) {
  const via = new Map([[entry, null]]);
  for (const queue = [entry]; queue.length > 0; ) {
    const file = queue.shift();
    for (const imported of metafile.inputs[file]?.imports ?? []) {
      if (imported.kind === 'dynamic-import' || via.has(imported.path)) continue;
      via.set(imported.path, file);
      queue.push(imported.path);
    }
  }
  if (!via.has(module)) return null;
  const chain = [];
  for (let at = module; at !== null; at = via.get(at)) chain.unshift(at);
  return chain;
}

/**
 * What tells a config cache (packages/core/src/config-cache.ts) which parser wrote it: a hash of
 * core's sources and smol-toml's version, so every bundle built from the same code shares the
 * cache, and a cache from another version of bird is never used.
 */
function configParserStamp() {
  const hash = createHash('sha256');
  const core = join(root, 'packages', 'core', 'src');
  for (const file of readdirSync(core).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).sort()) hash.update(`${file}\0`).update(readFileSync(join(core, file))).update('\0');
  hash.update(JSON.parse(readFileSync(join(root, 'node_modules', 'smol-toml', 'package.json'), 'utf8')).version);
  return hash.digest('hex').slice(0, 16);
}

/** Writes `contents` to `file` (through a temporary file and a rename) unless it holds them already; true if written. */
function writeIfChanged(file, contents) {
  if (existsSync(file) && Buffer.compare(readFileSync(file), contents) === 0) return false;
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, file);
  return true;
}

/** `<name>.<hash of <name>.bundle.js>.cache`: see writeCodeCacheLoader for why the hash. */
function cacheFileName(dist, name) {
  const hash = createHash('sha256').update(readFileSync(join(dist, `${name}.bundle.js`))).digest('hex').slice(0, 12);
  return `${name}.${hash}.cache`;
}

/**
 * Node 20 has no compile cache for user code, so the entry (`out`) becomes a small loader that
 * runs `<name>.bundle.js` through vm.Script with the V8 code cache in `<name>.<hash>.cache`,
 * picking the first bundle whose `when` holds (the last has none). Each cache is made by
 * training runs in a throw-away root (trainCodeCache), so it holds the functions that bundle's
 * paths call. V8 rejects a cache from another Node or V8 version and compiles normally, and a
 * missing cache only costs the compile: it is never wrong, only slower.
 * A bundle run this way cannot use import() (it throws in a vm.Script): it requires instead.
 */
function writeCodeCacheLoader(outfile, bundles) {
  const dist = dirname(outfile);
  // V8 checks a cache against its script by the source's length only: a cache left by an older
  // bundle of the same length is accepted, and runs that bundle's compiled functions (seen: a
  // duckdb-mode capture failing with "M is not defined"). Named by the bundle's hash, a cache
  // only ever meets the bundle it was made from.
  const pick = bundles
    .map((b) => {
      const files = JSON.stringify([`${b.name}.bundle.js`, cacheFileName(dist, b.name)]);
      return b.when ? `${b.when} ? ${files} : ` : files;
    })
    .join('');
  writeIfChanged(
    outfile,
    Buffer.from(`// Generated by scripts/build.mjs: runs ${bundles.map((b) => `${b.name}.bundle.js`).join(' or ')} with its V8 code cache.
'use strict';
const { readFileSync, renameSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { Script } = require('node:vm');
const [bundle, cache] = ${pick};
const file = join(__dirname, bundle);
const cacheFile = join(__dirname, cache);
let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {}
const wrapped = '(function (exports, require, module, __filename, __dirname) {' + readFileSync(file, 'utf8') + '\\n})';
const script = new Script(wrapped, { filename: file, cachedData });
if (process.env.__BIRD_WRITE_CODE_CACHE === '1') {
  process.on('exit', () => {
    const tmp = cacheFile + '.' + process.pid + '.tmp';
    writeFileSync(tmp, script.createCachedData());
    renameSync(tmp, cacheFile);
  });
}
script.runInThisContext()(module.exports, require, module, file, __dirname);
`),
  );
}

/** Makes the cache of bundle `b` by its training runs through the loader `outfile`; older caches of it are deleted. */
function trainCodeCache(outfile, b) {
  const dist = dirname(outfile);
  const cache = cacheFileName(dist, b.name);
  for (const old of readdirSync(dist)) if (old.startsWith(`${b.name}.`) && old.endsWith('.cache')) rmSync(join(dist, old), { force: true });
  const trainingRoot = mkdtempSync(join(tmpdir(), 'bird-build-'));
  try {
    const env = { ...process.env, BIRD_ROOT: trainingRoot, __BIRD_WRITE_CODE_CACHE: '1' };
    delete env.NODE_OPTIONS;
    delete env.BIRD_DISABLED;
    b.train(outfile, env, trainingRoot);
    if (!existsSync(join(dist, cache))) throw new Error(`the training runs of ${b.name}.bundle.js wrote no code cache`);
    chmodSync(join(dist, cache), 0o644); // bird's umask made it 0600; any user may read it
  } finally {
    rmSync(trainingRoot, { recursive: true, force: true });
  }
}

/** bird-capture --drain (what the shell hooks start) over one spooled record. */
function trainDrain(outfile, env, trainingRoot) {
  // Spooled as a bash hook would, by a shell that cannot be alive: pids stay below 2^22
  // (PID_MAX_LIMIT), so the drainer drains it and deletes it.
  mkdirSync(join(trainingRoot, 'spool'), { recursive: true, mode: 0o700 });
  const pid = 4194305;
  writeFileSync(join(trainingRoot, 'spool', `${pid}.build.spool`), spoolRecord({ pid, session: 'build', cmd: 'make drain' }), { mode: 0o600 });
  const drain = spawnSync(process.execPath, [outfile, '--drain'], {
    env: { ...env, BIRD_DRAIN_LINGER_MS: '0', BIRD_DRAIN_GRACE_MS: '0' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (drain.status !== 0) throw new Error(`training run of ${outfile} --drain failed: ${drain.stderr || drain.error}`);
  const drained = parquetFilesUnder(join(trainingRoot, 'db', 'data', 'local', 'invocations'));
  if (drained.length !== 1) {
    throw new Error(`training run of ${outfile} --drain wrote ${drained.length} invocation files instead of 1 (has the spool record format changed? see spoolRecord): ${drain.stderr}`);
  }
}

/**
 * bird-capture --cmd as it runs for nearly every command: the root, config.toml, its parsed
 * copy and the session's row already there. Two captures untrained make them; the third trains.
 * What only a session's first command or a new root runs compiles when it does.
 */
function trainCapture(outfile, env) {
  const untrained = { ...env };
  delete untrained.__BIRD_WRITE_CODE_CACHE;
  for (const [i, runEnv] of [untrained, untrained, env].entries()) {
    const args = ['--cmd', `make build ${i}`, '--exit', '0', '--start-us', String(1700000000000000 + i), '--cwd', '/', '--session', 'build', '--shell', 'bash'];
    const run = spawnSync(process.execPath, [outfile, ...args], { env: runEnv, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`training run of ${outfile} failed: ${run.stderr}`);
  }
}

/** bird: what runs while a person waits: Tab completion, `bird history`, `bird stats`, help, over a new store. */
function trainCli(outfile, env) {
  const runs = [['init'], ['--version'], ['help'], ['__complete', '1', 'bird', 'hi'], ['__complete', '3', 'bird', 'history', '--format', ''], ['history', '-n', '5'], ['stats'], ['remote', 'list']];
  for (const args of runs) {
    const run = spawnSync(process.execPath, [outfile, ...args], { env, encoding: 'utf8', timeout: 60_000 });
    if (run.status !== 0) throw new Error(`training run of bird ${args.join(' ')} failed: ${run.stderr || run.error}`);
  }
}

/**
 * bird-sync as cron runs it: one command captured in a root, pushed to a folder lake, pulled
 * into another root (the path every pull of new rows takes), then the whole cycle there.
 * Without the capture bundle (building sync-worker alone, before any capture build) the pull
 * finds nothing and only the paths around the ingest are trained.
 */
function trainSync(outfile, env, trainingRoot) {
  const lake = join(trainingRoot, 'lake');
  const roots = ['writer', 'reader'].map((name) => join(trainingRoot, name));
  mkdirSync(lake);
  for (const root of roots) {
    mkdirSync(root);
    writeFileSync(join(root, 'config.toml'), `client_id = "${basename(root)}@build"\n\n[[remotes]]\nname = "lake"\ntype = "file"\nuri = ${JSON.stringify(lake)}\n`);
  }
  const untrained = { ...env };
  delete untrained.__BIRD_WRITE_CODE_CACHE;
  const capture = join(root, INSTALL.captureBundle);
  const steps = [
    ...(existsSync(capture) ? [[capture, ['--cmd', 'make build', '--exit', '0', '--start-us', '1700000000000000', '--cwd', '/', '--session', 'build', '--shell', 'bash'], roots[0], untrained]] : []),
    [outfile, ['push', '--remote', 'lake'], roots[0], untrained],
    [outfile, ['pull', '--remote', 'lake', '--json'], roots[1], env],
    [outfile, [], roots[1], untrained],
  ];
  for (const [bin, args, root, runEnv] of steps) {
    const run = spawnSync(process.execPath, [bin, ...args], { env: { ...runEnv, BIRD_ROOT: root }, encoding: 'utf8', timeout: 120_000 });
    if (run.status !== 0) throw new Error(`training run of ${bin} ${args.join(' ')} failed: ${run.stderr || run.error}`);
  }
}

/**
 * One spool record as the bash hook writes it: the format of `encodeRecord` in
 * packages/capture/src/spool/record-format.ts (TypeScript, which this script cannot import).
 * Newline, then 12 tab-separated fields, then newline: tag `b1`, shell, session, pid, start and
 * end (epoch seconds), duration_ms, exit, client, cwd, cmd, end mark `e`; the texts here need
 * no escaping. If the format changes, the drain training run above fails loudly.
 */
function spoolRecord({ pid, session, cmd }) {
  const fields = ['b1', 'bash', session, String(pid), '1700000000.000000', '1700000000.100000', '', '0', '', '/', cmd, 'e'];
  return `\n${fields.join('\t')}\n`;
}

/** `<table dir>/date=…/*.parquet` */
function parquetFilesUnder(tableDir) {
  if (!existsSync(tableDir)) return [];
  return readdirSync(tableDir).flatMap((day) => readdirSync(join(tableDir, day)).filter((f) => f.endsWith('.parquet')));
}
