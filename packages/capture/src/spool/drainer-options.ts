import { DEFAULT_DRAINER_OPTIONS, type DrainerOptions } from './drainer.ts';

/** `BIRD_DRAIN_LINGER_MS` and friends: tests and benchmarks shorten or lengthen the drainer's waits. */
export function drainerOptionsFromEnv(env: NodeJS.ProcessEnv): DrainerOptions {
  const pick = (name: string, fallback: number): number => {
    const value = Number(env[name]);
    return env[name] !== undefined && Number.isFinite(value) && value >= 0 ? value : fallback;
  };
  return {
    lingerMs: pick('BIRD_DRAIN_LINGER_MS', DEFAULT_DRAINER_OPTIONS.lingerMs),
    graceMs: pick('BIRD_DRAIN_GRACE_MS', DEFAULT_DRAINER_OPTIONS.graceMs),
    tornMs: pick('BIRD_DRAIN_TORN_MS', DEFAULT_DRAINER_OPTIONS.tornMs),
    pollMs: pick('BIRD_DRAIN_POLL_MS', DEFAULT_DRAINER_OPTIONS.pollMs),
    retryMs: pick('BIRD_DRAIN_RETRY_MS', DEFAULT_DRAINER_OPTIONS.retryMs),
  };
}
