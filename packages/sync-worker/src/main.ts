// bird-sync: the worker cron runs. `bird-sync` alone compacts (push and pull come with the sync
// issue); `bird-sync compact|push|pull` one at a time.
import { BirdError, USAGE_EXIT, describeError, usageError } from '@bird/core';
import { COMPACT_USAGE, runCompact, type CommandIO } from './compact-command.ts';

const USAGE = `usage: bird-sync [compact|push|pull] [--remote NAME]\n       bird-sync ${COMPACT_USAGE}\n`;

async function main(argv: string[], io: CommandIO): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h') {
    io.stdout.write(USAGE);
    return 0;
  }
  if (first === undefined || first.startsWith('-')) {
    // Push and pull, which --remote picks, come with the sync issue; until then a sync is its compaction.
    const at = argv.indexOf('--remote');
    return runCompact(at === -1 ? argv : [...argv.slice(0, at), ...argv.slice(at + 2)], io, 'bird-sync');
  }
  if (first === 'compact') return runCompact(rest, io, 'bird-sync');
  if (first === 'push' || first === 'pull') throw new BirdError(`\`bird-sync ${first}\` is not available in this version yet.`, { exitCode: USAGE_EXIT });
  throw usageError(`unknown command ${JSON.stringify(first)}; ${USAGE.trim().replace(/\n\s*/g, ' or ')}`);
}

process.umask(0o077);
main(process.argv.slice(2), { env: process.env, stdout: process.stdout as CommandIO['stdout'], stderr: process.stderr as CommandIO['stderr'] }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bird-sync: ${describeError(error)}\n`);
    process.exitCode = error instanceof BirdError ? error.exitCode : 1;
  },
);
