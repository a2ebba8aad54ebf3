// A lake's backend that notes every object it fetches, so a test can say what a pull downloaded.
import { createRemoteBackend, type RemoteBackend } from '@bird/remote';
import type { RemoteConfig } from '@bird/core';

/** The remote's own backend, with the key of every `get` noted in `gets`, in order. */
export async function countingBackend(remote: RemoteConfig): Promise<{ backend: RemoteBackend; gets: string[] }> {
  const real = await createRemoteBackend(remote);
  const gets: string[] = [];
  const backend: RemoteBackend = {
    location: real.location,
    list: (prefix) => real.list(prefix),
    get: (key, dest, options) => (gets.push(key), real.get(key, dest, options)),
    put: (key, source) => real.put(key, source),
    remove: (key) => real.remove(key),
    close: () => real.close(),
  };
  return { backend, gets };
}
