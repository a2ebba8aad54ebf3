import { quoteLiteral } from '@bird/core';
import type { BirdConnection } from '@bird/store';
import type { ListedEvent } from './quickfix-line.ts';

const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
const int = (v: unknown) => (v === null || v === undefined || !Number.isFinite(Number(v)) ? null : Number(v));

/**
 * The events of the commands `where` picks (a condition on `i`, main.invocations), of `severity`
 * when given: the newest command first, and in a command by file and line.
 */
export async function listEvents(conn: BirdConnection, where: string, severity?: string): Promise<ListedEvent[]> {
  const only = severity === undefined ? '' : ` AND e.severity = ${quoteLiteral(severity)}`;
  const result = await conn.query(
    `SELECT DISTINCT e.kind, e.severity, e.ref_file, e.ref_line, e.ref_column, e.message, e.code, e.test_name, e.status, i.cwd, i."timestamp", i.id
     FROM main.events e JOIN main.invocations i ON i.id = e.invocation_id
     WHERE ${where}${only}
     ORDER BY i."timestamp" DESC, i.id, e.kind, e.ref_file NULLS FIRST, e.ref_line NULLS FIRST, e.ref_column NULLS FIRST, e.test_name, e.message`,
  );
  return result.rows.map((r) => ({
    kind: text(r[0]),
    severity: text(r[1]),
    file: text(r[2]),
    line: int(r[3]),
    column: int(r[4]),
    message: text(r[5]),
    code: text(r[6]),
    testName: text(r[7]),
    status: text(r[8]),
    cwd: text(r[9]),
  }));
}
