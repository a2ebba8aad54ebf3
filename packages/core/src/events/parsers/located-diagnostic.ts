/**
 * `file:line[:column]: severity: message [code]`: what gcc, clang, shellcheck -f gcc, mypy and
 * most Unix tools print. Shared by the gcc parser and the generic fallback.
 */
import { diagnostic, severityOf, type ParsedEvent } from '../parsed-event.ts';

/** The file may start with a drive letter (`C:\…`); it holds no other colon and no leading space. */
const LOCATED = /^((?:[A-Za-z]:)?[^\s:][^:]*):(\d+):(?:(\d+):)?\s*(fatal error|error|warning|note|remark|info)\s*:\s*(.*)$/i;
/** A trailing `[-Wflag]`, `[SC2086]` or mypy's `[arg-type]`. */
const TRAILING_CODE = /\s*\[([\w.:/=+-]+)\]$/;

export function locatedDiagnostic(line: string): ParsedEvent | null {
  const m = LOCATED.exec(line);
  if (!m) return null;
  let message = m[5]!;
  const code = TRAILING_CODE.exec(message);
  if (code) message = message.slice(0, code.index);
  return diagnostic({ severity: severityOf(m[4]!), file: m[1], line: m[2], column: m[3], message, code: code?.[1] });
}
