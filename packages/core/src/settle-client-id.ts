/**
 * A store's client id is settled once: written into config.toml, so that every process of this
 * store (hooked shells, cron's bird-sync, scripts) names its rows and its lake series alike,
 * whatever their environment. `bird init`, the first capture and the first push settle it.
 */
import { clientIdOf, clientIdProblem } from './client-id.ts';
import { planClientId, rawRemotes } from './config-text.ts';
import { editConfigFile } from './config-edit.ts';
import { loadConfig } from './config.ts';
import { BirdError } from './errors.ts';
import type { BirdLayout } from './paths.ts';

/**
 * Writes the id in force (BIRD_CLIENT_ID, else `$USER@host`) into config.toml when it names
 * none yet, and returns the configured id. An id that cannot name a lake series is not written.
 */
export async function settleClientId(layout: BirdLayout, env: NodeJS.ProcessEnv): Promise<string> {
  const configured = loadConfig(layout).client_id;
  if (configured !== undefined) return configured;
  const { id } = clientIdOf(env, undefined);
  const problem = clientIdProblem(id);
  if (problem) throw new BirdError(`the client id ${JSON.stringify(id)} cannot name a lake series (${problem}); set BIRD_CLIENT_ID or client_id in config.toml to a plain name such as you@laptop.`);
  let settled = id;
  await editConfigFile(layout, ({ text, doc, config }) => {
    // Another process may have settled it meanwhile: theirs stands.
    if (config.client_id !== undefined) {
      settled = config.client_id;
      return { text, remotes: rawRemotes(doc) };
    }
    return planClientId(text, doc, id);
  });
  return settled;
}

/** Refuses, as a command-line error (exit 2), an id that cannot name a lake series. */
export function checkClientId(id: string): void {
  const problem = clientIdProblem(id);
  if (problem) throw new BirdError(`${JSON.stringify(id)} cannot be a client id (${problem}); choose a plain name such as you@laptop.`, { exitCode: 2 });
}

/**
 * Sets config.toml's client_id to `id` (`bird init --client-id`); returns the id it replaced, if
 * any. The file is not rewritten when it already names `id`.
 */
export async function setClientId(layout: BirdLayout, id: string): Promise<string | undefined> {
  checkClientId(id);
  let before: string | undefined;
  await editConfigFile(layout, ({ text, doc, config }) => {
    before = config.client_id;
    return before === id ? { text, remotes: rawRemotes(doc) } : planClientId(text, doc, id);
  });
  return before;
}
