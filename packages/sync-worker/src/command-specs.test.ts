import { describe, expect, it } from 'vitest';
import { birdSyncUsage } from './command-specs.ts';

describe('birdSyncUsage', () => {
  it('gives a line per command, read from their declarations', () => {
    expect(birdSyncUsage()).toBe(
      'usage: bird-sync [--remote NAME] [--json]\n' +
        '       bird-sync compact [--dry-run] [--json] [--verbose]\n' +
        '       bird-sync push [--remote NAME] [--since 7d|30d|YYYY-MM-DD] [--dry-run] [--json]\n' +
        '       bird-sync pull [--remote NAME] [--since 7d|30d|YYYY-MM-DD] [--client ID] [--project] [--json]\n' +
        '       bird-sync index\n' +
        '       bird-sync --version\n',
    );
  });
});
