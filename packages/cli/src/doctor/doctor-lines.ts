// The facts `bird doctor` gathered, judged and put in words: one line per fact, each marked ok,
// warn or FAIL. Pure: the same facts always give the same lines (nowMs is one of the facts).
import { ago } from '../format/time-text.ts';
import type { ClientIdFacts, ConfigFacts, DoctorFacts, HookFacts, IndexFacts, OutputFacts, ProjectFacts, RemoteFacts, SpoolFacts, StoreFacts } from './doctor-facts.ts';
import type { StoredBytes } from './stored-bytes.ts';

export type LineStatus = 'ok' | 'warn' | 'FAIL';

export interface DoctorLine {
  readonly status: LineStatus;
  /** What the line is about: `hook`, `store`, `space`, `config`, `client-id`, `project`, `spool`, `index`, `remotes`, or `remote <name>`. */
  readonly topic: string;
  readonly text: string;
}

/** A spool record older than this with no drainer alive means the drainers are failing to start. */
export const SPOOL_STALL_MS = 60_000;

const when = (ms: number | null, nowMs: number) => (ms === null ? 'never' : `${ago(nowMs - ms)} ago`);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function doctorLines(facts: DoctorFacts): DoctorLine[] {
  return [
    hookLine(facts.hook),
    ...storeLines(facts.store, facts.config),
    ...clientIdLines(facts.clientId),
    ...projectLines(facts.project),
    ...(facts.store.state === 'present' ? [spoolLine(facts.spool, facts.nowMs), ...outputLines(facts.output, facts.hook), indexLine(facts.index, facts.nowMs)] : []),
    ...remotesLines(facts.remotes, facts.nowMs),
  ];
}

/** 1 when a line FAILs, else 0: `bird doctor`'s exit status. */
export function exitStatus(lines: readonly DoctorLine[]): number {
  return lines.some((l) => l.status === 'FAIL') ? 1 : 0;
}

function hookLine(hook: HookFacts): DoctorLine {
  const line = (status: LineStatus, text: string): DoctorLine => ({ status, topic: 'hook', text: `hook: ${text}` });
  const shell = hook.loginShell ?? 'zsh|bash|fish';
  const howTo = `add \`eval "$(bird hook ${shell})"\` to your shell's startup file`;
  const s = hook.state;
  switch (s.kind) {
    case 'hooked':
    case 'unverified': {
      const unverified = s.kind === 'unverified' ? ' (by BIRD_HOOKED; there is no /proc here to check that it is this shell)' : '';
      if (hook.disabled) return line('warn', `this ${s.shell} (pid ${s.pid}) is hooked${unverified}, but BIRD_DISABLED=1 turns capture off; unset it to capture again`);
      return line('ok', `this ${s.shell} (pid ${s.pid}) is hooked${unverified}`);
    }
    case 'nested':
      return line('warn', `not hooked: ${s.inner.comm} (pid ${s.inner.pid}) runs inside the hooked ${s.shell} (pid ${s.pid}) without the hook, so what is typed in it is not captured; source the hook in it to capture it too`);
    case 'inherited':
      return line('warn', `not hooked: BIRD_HOOKED names ${s.shell} pid ${s.pid}, which is not a shell this command runs under (the environment came from elsewhere, e.g. a tmux server); ${howTo}`);
    case 'bad-marker':
      return line('warn', `unknown: BIRD_HOOKED is ${JSON.stringify(s.value)}, not the shell:pid a hook sets; ${howTo}`);
    case 'none':
      return line('warn', `not hooked: no hook has set BIRD_HOOKED in this environment (run bird doctor in the shell you want checked); ${howTo}`);
  }
}

function storeLines(store: StoreFacts, config: ConfigFacts | null): DoctorLine[] {
  const from = store.rootFrom === 'BIRD_ROOT' ? 'BIRD_ROOT' : store.rootFrom === 'XDG_DATA_HOME' ? '$XDG_DATA_HOME/bird' : 'the default, ~/.local/share/bird';
  const line = (status: LineStatus, text: string): DoctorLine => ({ status, topic: 'store', text: `store: ${text}` });
  if (store.state === 'missing') return [line('warn', `none yet at ${store.root} (${from}); \`bird init\` makes it, and so does the first command a hooked shell captures`)];
  if (store.state === 'not-a-folder') return [line('FAIL', `${store.root} (${from}) is a file, not a folder: point BIRD_ROOT at a folder`)];
  const mode = store.mode === null ? 'mode unknown until config.toml reads' : `${store.mode} mode`;
  const catalog = store.catalog ? '' : '; no bird.duckdb yet (the first bird command that reads makes it)';
  return [line('ok', `${store.root} (${from}), ${mode}${catalog}`), ...spaceLines(store.bytes), ...configLines(config)];
}

function configLines(config: ConfigFacts | null): DoctorLine[] {
  if (config === null) return [];
  const line = (status: LineStatus, text: string): DoctorLine => ({ status, topic: 'config', text: `config: ${text}` });
  if (config.state === 'missing') return [line('ok', `${config.path} is not there yet; the defaults apply until \`bird init\` or the first capture writes it`)];
  if (config.state === 'broken') return [line('FAIL', config.problem)];
  return [line('ok', `${config.path} (${plural(config.remotes, 'remote')})`), ...config.remoteProblems.map((p) => line('warn', p))];
}

/** Only where there is something to say: most folders belong to no project. */
function projectLines(p: ProjectFacts): DoctorLine[] {
  const line = (status: LineStatus, text: string): DoctorLine => ({ status, topic: 'project', text: `project: ${text}` });
  if (p.state === 'none') return [];
  if (p.state === 'refused') return [line('warn', `${p.why}; bird reads no project store here`)];
  const found = line('ok', `${p.root} (${p.mode} mode), read as project.* by bird sql in this folder`);
  if (p.lakes.length === 0) return [found];
  const notPulled = p.lakes.filter((lake) => !p.pulled.includes(lake));
  const named = `it names ${p.lakes.length === 1 ? 'the lake' : 'the lakes'} ${p.lakes.join(', ')}`;
  if (notPulled.length === 0) return [found, line('ok', `${named}, pulled into ${p.cache} (\`bird pull --project\` brings what is new)`)];
  return [found, line('ok', `${named}; ${notPulled.join(', ')} not pulled yet: \`bird pull --project\` brings its runs into project.*`)];
}

function clientIdLines(c: ClientIdFacts): DoctorLine[] {
  const line = (status: LineStatus, text: string): DoctorLine => ({ status, topic: 'client-id', text: `client id: ${text}` });
  if (c.problem !== null) {
    const fix = c.origin === 'env' ? 'set BIRD_CLIENT_ID to a plain name such as you@laptop' : 'run `bird init --client-id NAME` with a plain name such as you@laptop';
    return [line('FAIL', `${JSON.stringify(c.id)} cannot name a lake series (${c.problem}), so its rows cannot be pushed; ${fix}`)];
  }
  if (c.origin === 'env' && c.configured !== null && c.configured !== c.id) {
    return [
      line(
        'warn',
        `BIRD_CLIENT_ID=${c.id} here, but config.toml says ${c.configured}, which cron and every process without BIRD_CLIENT_ID use: rows go to two series. ` +
          `Make them one: \`bird init --client-id ${c.id}\`, or unset BIRD_CLIENT_ID`,
      ),
    ];
  }
  const origin = c.origin === 'env' ? 'from BIRD_CLIENT_ID' : c.origin === 'config' ? 'from config.toml' : 'the default, $USER@host';
  const settled = c.configured === null ? '; not in config.toml yet (`bird init` or the first push writes it, so that shells and cron agree)' : '';
  return [line('ok', `${c.id} (${origin})${settled}`)];
}

function spoolLine(spool: SpoolFacts, nowMs: number): DoctorLine {
  const line = (status: LineStatus, text: string): DoctorLine => ({ status, topic: 'spool', text: `spool: ${text}` });
  if (spool.problem !== null) return line('FAIL', spool.problem);
  const b = spool.backlog;
  if (b === null || b.records === 0) return line('ok', 'nothing waiting to be stored');
  const waiting = `${plural(b.records, 'command')} waiting to be stored (${kilobytes(b.bytes)} in ${plural(b.files, 'file')}, the oldest written ${when(b.oldestMs, nowMs)})`;
  if (b.drainer?.alive) return line('ok', `${waiting}; drainer pid ${b.drainer.pid} is storing them`);
  const stalled = b.oldestMs !== null && nowMs - b.oldestMs > SPOOL_STALL_MS;
  if (!stalled) return line('ok', `${waiting}; the next command in a hooked shell starts a drainer`);
  return line('warn', `${waiting} and no drainer is running; the next command in a hooked shell starts one (if it cannot, errors.log in the store says why)`);
}

/**
 * Whether what commands print is recorded, and in the shell doctor runs in, why not when it
 * should be: turned on in config.toml, a shell opened before, or one whose recorder could not
 * start, looks the same from outside.
 */
function outputLines(output: OutputFacts | null, hook: HookFacts): DoctorLine[] {
  if (output === null) return [];
  const line = (status: LineStatus, text: string): DoctorLine => ({ status, topic: 'output', text: `output: ${text}` });
  if (!output.passive) return [line('ok', 'typed commands are stored without their output (`[capture] output = true` records it in shells opened after; `bird run CMD` stores one command\'s)')];
  const s = hook.state;
  if (s.kind !== 'hooked' && s.kind !== 'unverified') return [line('ok', 'recorded for every command typed in a hooked shell on a terminal ([capture] output = true)')];
  if (output.recorderLog !== null) return [line('ok', `this ${s.shell}'s output is recorded (its log: ${output.recorderLog})`)];
  const mine = output.lastFailure?.includes(` ${s.shell} ${s.pid}:`) ? output.lastFailure : null;
  const why = mine !== null ? `errors.log says ${mine}` : 'it was opened before `[capture] output = true`, or not on a terminal; open a new shell to record it';
  return [line('warn', `[capture] output = true, but this ${s.shell} (pid ${s.pid}) runs without the recorder: ${why}`)];
}

function spaceLines(bytes: StoredBytes | null): DoctorLine[] {
  if (bytes === null) return [];
  const parts = [
    `your commands ${kilobytes(bytes.own)}`,
    bytes.caches > 0 ? `teammates' ${kilobytes(bytes.caches)}` : '',
    bytes.mirrors > 0 ? `S3 mirrors ${kilobytes(bytes.mirrors)}` : '',
    bytes.blobs > 0 ? `output blobs ${kilobytes(bytes.blobs)}` : '',
    `history index ${kilobytes(bytes.index)}`,
  ].filter(Boolean);
  const text = `space: ${kilobytes(bytes.total)} under the root (${parts.join(', ')})`;
  if (bytes.quarantine === 0) return [{ status: 'ok', topic: 'space', text }];
  // Set aside, never deleted by bird: only a person can decide it is not needed.
  return [{ status: 'warn', topic: 'space', text: `${text}; ${kilobytes(bytes.quarantine)} of damaged files set aside in db/quarantine/ (look, then delete what you do not need)` }];
}

function kilobytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`;
  return bytes < 1024 ** 3 ? `${(bytes / 1024 ** 2).toFixed(1)} MB` : `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}

function indexLine(index: IndexFacts, nowMs: number): DoctorLine {
  const line = (status: LineStatus, text: string): DoctorLine => ({ status, topic: 'index', text: `index: ${text}` });
  const rebuild = 'the next bird history, search or stats rebuilds it from the store';
  switch (index.state) {
    case 'ok': {
      const newest = index.newestLocalMs === null ? 'none of them yours yet' : `your newest ${when(index.newestLocalMs, nowMs)}`;
      const damaged = index.damagedLines > 0 ? `; ${plural(index.damagedLines, 'damaged journal line')} skipped (${rebuild} once it is stale)` : '';
      return line(index.damagedLines > 0 ? 'warn' : 'ok', `${plural(index.commands, 'command')}, ${newest}${damaged}`);
    }
    case 'missing':
      return line('ok', `not built yet; ${rebuild.replace('rebuilds', 'builds')}`);
    case 'stale':
      return line('ok', `out of date (${index.detail}); ${rebuild}`);
    case 'damaged':
      return line('warn', `damaged (${index.detail}); ${rebuild}`);
  }
}

function remotesLines(remotes: readonly RemoteFacts[] | null, nowMs: number): DoctorLine[] {
  if (remotes === null) return [{ status: 'FAIL', topic: 'remotes', text: 'remotes: not known until config.toml reads (see the config line)' }];
  if (remotes.length === 0) return [{ status: 'ok', topic: 'remotes', text: 'remotes: none (`bird remote add NAME --type file|s3 --uri URI` shares with a team)' }];
  return remotes.flatMap((r) => remoteLines(r, nowMs));
}

function remoteLines(r: RemoteFacts, nowMs: number): DoctorLine[] {
  const line = (status: LineStatus, text: string): DoctorLine => ({ status, topic: `remote ${r.name}`, text: `${r.name}: ${text}` });
  const out: DoctorLine[] = [];
  // `remote test`'s skip lines (a check that could not run) add nothing here: the FAIL before them says why.
  for (const c of r.checks) if (c.status !== 'skip') out.push(line(c.status, c.text));
  if (r.sync.busy) out.push(line('ok', 'a push or pull of it is running now'));
  for (const s of r.sync.series) {
    if (s.refusal !== null && s.parked) out.push(line('warn', `series ${s.client}: its rows stay here (another machine writes it, and this one took another id); \`bird remote repair ${r.name} --client ${s.client}\` would take it over`));
    else if (s.refusal !== null) out.push(line('FAIL', s.refusal));
    else if (s.staged.length > 0 && !r.sync.busy) {
      out.push(line('warn', `series ${s.client}: ${plural(s.staged.length, 'push', 'pushes')} staged and not yet uploaded; the next push (\`bird push --remote ${r.name}\`) sends ${s.staged.length === 1 ? 'it' : 'them'}`));
    }
  }
  out.push(pushLine(r, nowMs, line));
  out.push(pullLine(r, nowMs, line));
  for (const l of r.listedSeries) {
    out.push(line('warn', `series ${l.client}'s index is damaged (${l.damage}); pulls read it by listing its folders until its owner runs \`bird remote repair ${r.name}\``));
  }
  return out;
}

type LineOf = (status: LineStatus, text: string) => DoctorLine;

function pushLine(r: RemoteFacts, nowMs: number, line: LineOf): DoctorLine {
  if (!r.pushable) return line('ok', r.mode === 'read_only' ? 'read_only: this machine only pulls from it' : 'a .duckdb database: this machine only pulls from it');
  const last = `last push ${when(r.sync.lastPushMs, nowMs)}`;
  const u = r.unpushed;
  if (u === null) return line('ok', last);
  if (!u.ok) return line('warn', `${last}; rows not pushed yet: not counted (${u.why})`);
  const total = Object.values(u.value).reduce((n, v) => n + v, 0);
  if (total === 0) return line('ok', `${last}; nothing left to push`);
  const parts = Object.entries(u.value).filter(([, n]) => n > 0).map(([table, n]) => `${table}: ${n}`);
  return line('ok', `${last}; ${plural(total, 'row')} not pushed yet (${parts.join(', ')})`);
}

function pullLine(r: RemoteFacts, nowMs: number, line: LineOf): DoctorLine {
  const last = `last pull ${when(r.sync.lastPullMs, nowMs)}`;
  const p = r.notPulled;
  if (p === null) return line('ok', last);
  if (!p.ok) return line('warn', `${last}; teammates' rows not pulled yet: not counted (${p.why})`);
  const v = p.value;
  if (v.segments === 0) return line('ok', `${last}; nothing new from teammates`);
  // Segments, not pushes: a checkpoint is one too, and a pull behind it reads it.
  const where = `${plural(v.segments, 'index segment')} of ${plural(v.series, 'teammate')}`;
  const rows = v.segmentsRead < v.segments ? `at least ${plural(v.rows, 'row')} (counted in the first ${v.segmentsRead} of ${where})` : `${plural(v.rows, 'row')} in ${where}`;
  return line('ok', `${last}; ${rows} not pulled yet`);
}
