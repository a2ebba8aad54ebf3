// What `bird doctor` reads of this machine: the hook marker, the store, config.toml, the client
// id, the spool, the history index, then each remote (remote-facts.ts). Nothing is repaired or
// settled here; only what every reading command makes may be made (the catalog, when the rows
// not pushed yet are counted).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { clientIdOf, clientIdProblem, describeError, findProjectStore, isShellName, loadConfig, projectCacheLayout, projectLakeEntries, spoolProblem, type BirdConfig, type BirdLayout } from '@bird/core';
import { spoolBacklog } from '@bird/capture/spool-backlog';
import { loadHistory } from '@bird/history-index';
import type { CliContext } from '../context.ts';
import { layoutOf } from '../layout.ts';
import type { ClientIdFacts, ConfigFacts, DoctorFacts, IndexFacts, OutputFacts, ProjectFacts, StoreFacts } from './doctor-facts.ts';
import { judgeHook, HOOK_MARKER, readAncestors } from './hook-state.ts';
import { gatherRemotes } from './remote-facts.ts';
import { storedBytes } from './stored-bytes.ts';

export async function gatherFacts(ctx: CliContext, version: string): Promise<DoctorFacts> {
  const layout = layoutOf(ctx);
  const store = storeFacts(layout, ctx.env);
  let config: BirdConfig | null = null;
  let configFacts: ConfigFacts | null = null;
  if (store.state === 'present') {
    const read = readConfig(layout);
    configFacts = read.facts;
    config = read.config;
  }
  const present = store.state === 'present';
  const shell = basename(ctx.env.SHELL ?? '');
  return {
    version,
    nowMs: Date.now(),
    hook: { state: judgeHook(ctx.env[HOOK_MARKER], readAncestors()), disabled: ctx.env.BIRD_DISABLED === '1', loginShell: isShellName(shell) ? shell : null },
    store: { ...store, mode: config?.storage.mode ?? null },
    config: configFacts,
    clientId: clientIdFacts(ctx.env, config),
    project: projectFacts(ctx.cwd, layout, ctx.env),
    spool: { dir: layout.spool, problem: present ? spoolProblem(layout) : null, backlog: present ? spoolBacklog(layout) : null },
    output: config === null ? null : outputFacts(layout, ctx.env, config),
    index: present ? indexFacts(layout) : { state: 'missing', detail: 'there is no store yet' },
    // Without a readable config.toml the remotes are not known; without a store there are none.
    remotes: !present ? [] : config === null ? null : await gatherRemotes(ctx, layout, config),
  };
}

/** The hooks' lines in errors.log start so when a shell runs without the recorder (hooks' __bird_rec_failed). */
const RECORDER_OFF = /output capture is off in \w+ \d+: .*/;

function outputFacts(layout: BirdLayout, env: NodeJS.ProcessEnv, config: BirdConfig): OutputFacts {
  const log = env.BIRD_OUTPUT_LOG;
  let lastFailure: string | null = null;
  try {
    // Only its end: errors.log is capped, but a person may have let it grow.
    const text = readFileSync(layout.errorsLog, 'utf8').slice(-65_536);
    lastFailure = text.split('\n').reverse().map((l) => RECORDER_OFF.exec(l)?.[0]).find((l) => l !== undefined) ?? null;
  } catch {
    // no errors.log: nothing has failed
  }
  return { passive: config.capture.output, recorderLog: log && existsSync(log) ? log : null, lastFailure };
}

function projectFacts(cwd: string, layout: BirdLayout, env: NodeJS.ProcessEnv): ProjectFacts {
  const found = findProjectStore(cwd, layout.root, env.HOME);
  if (found === null) return { state: 'none' };
  if (!found.found) return { state: 'refused', why: found.refused };
  let text = '';
  try {
    text = readFileSync(found.layout.config, 'utf8');
  } catch {
    // a project store without a config.toml names no lake
  }
  const cache = projectCacheLayout(layout, found.layout);
  let pulled: string[] = [];
  try {
    pulled = readdirSync(cache.cachedData).sort();
  } catch {
    // never pulled: no cache folder yet
  }
  return { state: 'found', root: found.layout.root, mode: found.mode, lakes: projectLakeEntries(text, found.layout.config).entries.map((e) => e.name), pulled, cache: cache.root };
}

function storeFacts(layout: BirdLayout, env: NodeJS.ProcessEnv): Omit<StoreFacts, 'mode'> {
  const rootFrom = env.BIRD_ROOT ? 'BIRD_ROOT' : env.XDG_DATA_HOME ? 'XDG_DATA_HOME' : 'default';
  let state: StoreFacts['state'];
  try {
    state = statSync(layout.root).isDirectory() ? 'present' : 'not-a-folder';
  } catch {
    // cannot stat the root: doctor reports it as missing, which is what bird will see
    state = 'missing';
  }
  const present = state === 'present';
  return { root: layout.root, rootFrom, state, catalog: present && existsSync(layout.catalog), bytes: present ? storedBytes(layout) : null };
}

function readConfig(layout: BirdLayout): { facts: ConfigFacts; config: BirdConfig | null } {
  // No config.toml means the defaults: no remotes, parquet mode (the first capture writes it).
  if (!existsSync(layout.config)) return { facts: { state: 'missing', path: layout.config }, config: loadConfig(layout) };
  try {
    const config = loadConfig(layout);
    return { facts: { state: 'ok', path: layout.config, remotes: config.remotes.length, remoteProblems: config.remoteProblems }, config };
  } catch (error) {
    return { facts: { state: 'broken', path: layout.config, problem: describeError(error).replace(/^bird: /, '') }, config: null };
  }
}

function clientIdFacts(env: NodeJS.ProcessEnv, config: BirdConfig | null): ClientIdFacts {
  const configured = config?.client_id ?? null;
  const { id, origin } = clientIdOf(env, configured ?? undefined);
  return { id, origin, configured, problem: clientIdProblem(id) };
}

function indexFacts(layout: BirdLayout): IndexFacts {
  let loaded;
  try {
    loaded = loadHistory(layout.historyIndex);
  } catch (error) {
    return { state: 'damaged', detail: describeError(error) };
  }
  if (!loaded.ok) return { state: loaded.why, detail: loaded.detail };
  const { index } = loaded;
  // Rows are oldest first: the newest of this machine's own is the last one from `local`.
  let newestLocalMs: number | null = null;
  for (let row = index.size - 1; row >= 0; row--) {
    if (index.sources[index.source[row]!] !== 'local') continue;
    newestLocalMs = index.timestampUs[row]! / 1000;
    break;
  }
  return { state: 'ok', commands: index.size, newestLocalMs, damagedLines: loaded.damagedLines };
}
