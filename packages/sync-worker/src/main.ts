// bird-sync: the worker cron runs. `bird-sync` alone compacts, then pushes to and pulls from
// each remote it selects; `bird-sync compact|push|pull|index` one at a time.
import { BirdError, describeError, usageError } from '@bird/core';
import { birdSyncUsage } from './command-specs.ts';
import { runCompact, type CommandIO } from './compact-command.ts';
import { runIndex } from './index-command.ts';
import { runSync } from './sync-command.ts';
import pkg from '../package.json' with { type: 'json' };

const USAGE = birdSyncUsage();

async function main(argv: string[], io: CommandIO): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h') {
    io.stdout.write(USAGE);
    return 0;
  }
  // As `bird --version` answers.
  if (first === '--version' || first === '-V') {
    io.stdout.write(`bird-sync ${pkg.version}\n`);
    return 0;
  }
  if (first === undefined || first.startsWith('-')) return runSync('sync', argv, io, 'bird-sync');
  if (first === 'compact') return runCompact(rest, io, 'bird-sync');
  if (first === 'index') return runIndex(rest, io, 'bird-sync');
  if (first === 'push' || first === 'pull') return runSync(first, rest, io, 'bird-sync');
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
