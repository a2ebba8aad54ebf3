// `bird doctor --json`: the facts as values (times as ISO strings), and the lines the text
// output prints, for a script or a bug report. Pure.
import type { DoctorFacts } from './doctor-facts.ts';
import type { DoctorLine } from './doctor-lines.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function doctorJson(facts: DoctorFacts, lines: readonly DoctorLine[]): unknown {
  const { hook, store, config, clientId, project, spool, output, index } = facts;
  const backlog = spool.backlog;
  const { kind, ...marker } = hook.state;
  return {
    ok: !lines.some((l) => l.status === 'FAIL'),
    version: facts.version,
    hook: { state: kind, ...marker, disabled: hook.disabled },
    store,
    config: config === null ? null : { ...config, remoteProblems: config.state === 'ok' ? config.remoteProblems : [] },
    clientId,
    project,
    spool: {
      dir: spool.dir,
      problem: spool.problem,
      records: backlog?.records ?? 0,
      files: backlog?.files ?? 0,
      bytes: backlog?.bytes ?? 0,
      oldest: iso(backlog?.oldestMs ?? null),
      drainer: backlog?.drainer ?? null,
    },
    output,
    index: index.state === 'ok' ? { state: 'ok', commands: index.commands, newestLocal: iso(index.newestLocalMs), damagedLines: index.damagedLines } : index,
    remotes:
      facts.remotes?.map((r) => ({
        name: r.name,
        type: r.type,
        uri: r.uri,
        mode: r.mode,
        pushable: r.pushable,
        checks: r.checks,
        busy: r.sync.busy,
        lastPush: iso(r.sync.lastPushMs),
        lastPull: iso(r.sync.lastPullMs),
        series: r.sync.series.map((s) => ({ client: s.client, seq: s.seq, lastPush: iso(s.lastPushMs), staged: s.staged, refused: s.refusal })),
        unpushed: r.unpushed === null ? null : r.unpushed.ok ? { rows: Object.values(r.unpushed.value).reduce((n, v) => n + v, 0), byTable: r.unpushed.value } : { error: r.unpushed.why },
        notPulled: r.notPulled === null ? null : r.notPulled.ok ? r.notPulled.value : { error: r.notPulled.why },
        listedSeries: r.listedSeries,
      })) ?? null,
    lines,
  };
}
