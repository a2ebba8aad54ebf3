// An atuin history.db as atuin's own migrations make it, built with sql.js, for tests and benches.
import initSqlJs from 'sql.js';

/** atuin's history table as its migrations leave it (crates/atuin-client/migrations, in order). */
export const ATUIN_SCHEMA = `
  create table if not exists history (
    id text primary key,
    timestamp integer not null,
    duration integer not null,
    exit integer not null,
    command text not null,
    cwd text not null,
    session text not null,
    hostname text not null,
    unique(timestamp, cwd, command)
  );
  create index if not exists idx_history_timestamp on history(timestamp);
  create index if not exists idx_history_command_timestamp on history(command, timestamp);
  alter table history add column deleted_at integer;
  alter table history add column author text;
  alter table history add column intent text;
  alter table history add column shell text;
  alter table history add column author_kind integer;
`;
/** The table before deleted_at (atuin before 2023). */
export const OLD_SCHEMA = ATUIN_SCHEMA.slice(0, ATUIN_SCHEMA.indexOf('alter table'));

/** id, timestamp (ns), duration (ns, -1 unknown), exit (-1 unknown), command, cwd, session, hostname (`host:user`), deleted_at (ns). */
export type Row = [id: string, timestamp: bigint, duration: bigint, exit: bigint, command: string, cwd: string, session: string, hostname: string, deletedAt?: bigint | null];

/** The bytes of a history.db holding `rows`. */
export async function atuinDb(rows: Row[], schema = ATUIN_SCHEMA): Promise<Uint8Array> {
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  db.run(schema);
  const deleted = schema.includes('deleted_at');
  for (const row of rows) {
    const values = deleted ? [...row.slice(0, 8), row[8] ?? null] : row.slice(0, 8);
    db.run(`insert into history (id, timestamp, duration, exit, command, cwd, session, hostname${deleted ? ', deleted_at' : ''}) values (${values.map(() => '?').join(', ')})`, values as never);
  }
  const bytes = db.export();
  db.close();
  return bytes;
}
