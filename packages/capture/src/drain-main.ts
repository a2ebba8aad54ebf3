// bird-capture --drain: the drainer the shell hooks start in the background (see
// spool/drainer.ts). A bundle of its own, so a `--cmd` capture loads none of this code.
import { birdLayout, ensureRoot, resolveBirdRoot } from '@bird/core';
import { runEntry } from './run-entry.ts';
import { seedIndex } from './seed-index.ts';
import { drainerOptionsFromEnv } from './spool/drainer-options.ts';
import { runDrainer } from './spool/drainer.ts';

async function drain(): Promise<void> {
  process.umask(0o077);
  // No terminal is attached, so a closing terminal's SIGHUP (sent before setsid took effect,
  // or by a shell) is ignored.
  process.on('SIGHUP', () => {});
  const layout = birdLayout(resolveBirdRoot(process.env));
  const config = ensureRoot(layout);
  seedIndex(layout);
  await runDrainer(layout, config, process.env, drainerOptionsFromEnv(process.env));
}

runEntry(drain, { toStderr: false });
