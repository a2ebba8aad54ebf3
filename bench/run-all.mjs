// `npm run bench`: every benchmark in this folder, one after another.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
for (const script of ['capture-start.mjs', 'sync.mjs', 'import.mjs', 'search.mjs', 'forget.mjs', 'search-match.mjs', 'completion.mjs']) {
  const r = spawnSync(process.execPath, [join(here, script), ...process.argv.slice(2)], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
