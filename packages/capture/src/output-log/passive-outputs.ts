import type { InvocationRow, OutputRow } from '@bird/core';
import type { CutOutput } from './output-log-cutter.ts';
import { outputRowId, planOutputs, type PlannedOutputs } from '../record-output.ts';

/**
 * `storage_type` of an output that was printed and deliberately not stored; its `storage_ref`
 * says why. A full-screen program (vim, less, htop) draws on the alternate screen: its bytes are
 * a screen's drawing, useless as text and large, so its row keeps only the size it printed.
 */
export const OMITTED_STORAGE = 'omitted';
export const ALTERNATE_SCREEN_REASON = 'alternate-screen';

/** The rows (and blobs) of a typed command's output as the recorder saw it: one `combined` stream, the terminal's. */
export function planPassiveOutputs(invocation: Pick<InvocationRow, 'id' | 'timestamp' | 'date'>, output: CutOutput): PlannedOutputs {
  if (!output.alternateScreen) return planOutputs(invocation, [{ stream: 'combined', kept: output.kept, byteLength: output.byteLength }]);
  const row: OutputRow = {
    id: outputRowId(invocation, 'combined'),
    invocation_id: invocation.id,
    stream: 'combined',
    content_hash: null,
    byte_length: output.byteLength,
    storage_type: OMITTED_STORAGE,
    storage_ref: ALTERNATE_SCREEN_REASON,
    date: invocation.date,
  };
  return { rows: [row], blobs: [], stored: [] };
}
