// The stores the search benchmarks read (search.mjs, forget.mjs): real ones, rows written by
// DuckDB COPY into local/invocations and the history index built from them by bird itself.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The commands' first words: command `k` is `${VERBS[k % 10]} ${k}`. */
export const VERBS = ['git push origin', 'git commit -m', 'docker run --rm', 'kubectl get pods -n', 'npm run test --', 'ssh deploy@host-', 'make -j4 target-', 'cargo build -p crate-', 'vim src/file-', 'cd ~/src/project-'];

/** `bird history` with this in its environment rebuilds a missing index before it answers, at any size. */
export const FOREGROUND_INDEX = { BIRD_INDEX_FOREGROUND_BYTES: String(Number.MAX_SAFE_INTEGER) };

/** Runs the bird bundle `bird` on `root`; returns its stdout, throws with its stderr. */
export function birdIn(bird, env, root, args) {
  const r = spawnSync(process.execPath, [bird, ...args], { env: { ...env, BIRD_ROOT: root }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bird ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/**
 * A store of `n` commands: about a third distinct, in 40 directories and 300 sessions, over a year.
 * With `index: false` the history index is left unbuilt (a cold build is then the caller's to time).
 */
export function makeStore(bird, env, n, { index = true } = {}) {
  const run = (args) => birdIn(bird, env, root, args);
  const root = mkdtempSync(join(tmpdir(), `bird-bench-search-${n}-`));
  run(['init']);
  const dir = join(root, 'db', 'data', 'local', 'invocations', 'date=2026-01-01');
  mkdirSync(dir, { recursive: true });
  const sql = `COPY (SELECT uuid()::VARCHAR AS id, 's' || (i % 300) AS session_id,
      to_timestamp(1735689600 + i * (31536000 / ${n})) AS "timestamp", (i * 37) % 5000 AS duration_ms,
      '/home/ana/src/project-' || (i % 40) AS cwd,
      list_extract([${VERBS.map((v) => `'${v}'`).join(',')}], 1 + ((i * 7919) % ${Math.floor(n / 3)} % 10)::INT) || ' ' || ((i * 7919) % ${Math.floor(n / 3)}) AS cmd,
      NULL::VARCHAR AS executable, CASE WHEN i % 9 = 0 THEN 1 ELSE 0 END AS exit_code, 'ana@box' AS client_id, 'box' AS hostname, 'zsh' AS shell
    FROM range(${n}) t(i)) TO '${join(dir, 'bench.parquet')}' (FORMAT parquet)`;
  run(['sql', sql]);
  // The first read finds no index and builds it from the store, as after an upgrade (in the
  // foreground, however large the store: see FOREGROUND_REBUILD_BYTES in the cli's history-source.ts).
  if (index) birdIn(bird, { ...env, ...FOREGROUND_INDEX }, root, ['history', '-n', '1']);
  const total = JSON.parse(run(['sql', 'SELECT count(*) AS n FROM main.invocations', '--format', 'json']))[0].n;
  if (total !== n) throw new Error(`the ${n}-row store holds ${total} rows`);
  return root;
}
