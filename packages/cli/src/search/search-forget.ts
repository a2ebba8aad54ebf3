// The search's forget key, carried out: every run of the command this machine stored, read fresh
// from the store (the list may be older than it) and forgotten as `bird forget` forgets.
import { quoteLiteral } from '@bird/core';
import { errorLine } from '../cli.ts';
import type { CliContext } from '../context.ts';
import { forgetCommands, readStoredCommands } from '../forget/forget-commands.ts';
import { planForget } from '../forget/plan-forget.ts';
import { layoutOf } from '../layout.ts';
import { connect, MINIMAL } from '../store-access.ts';
import type { Forget } from './search-terminal.ts';

/** Nothing is written to the terminal the search draws on: what goes wrong is the status line's to say. */
const SILENT = { write: () => undefined, isTTY: false, columns: undefined };

/** Rejects with the one line `bird forget` would have printed, for the status line. */
export function forgetFromSearch(ctx: CliContext): Forget {
  return async (request) => {
    try {
      const quiet: CliContext = { ...ctx, stderr: SILENT };
      const conn = await connect(quiet, MINIMAL, { quiet: true });
      let stored;
      try {
        stored = await readStoredCommands(conn, `WHERE cmd = ${quoteLiteral(request.cmd)}`);
      } finally {
        conn.close();
      }
      // A teammate's runs of the same command are theirs to forget: planForget leaves them.
      const plan = planForget(stored, {});
      if (plan.forget.length > 0) await forgetCommands(layoutOf(ctx), ctx.env, plan.forget);
      return { forgot: plan.forget.length, theirs: plan.teammates.length };
    } catch (error) {
      throw new Error(errorLine(error), { cause: error });
    }
  };
}
