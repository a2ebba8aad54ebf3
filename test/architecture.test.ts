// The import rules (scripts/package-rules.ts) hold in the code: no source file imports a
// package its package may not, every package.json declares only what its package may import,
// and the README's table says what the rules say.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_RULES } from '../scripts/package-rules.ts';
import { REPO } from './cli-helpers.ts';
import { shippedSources } from './support/files.ts';

const PACKAGES = readdirSync(join(REPO, 'packages')).filter((p) => statSync(join(REPO, 'packages', p)).isDirectory()).sort();

/** `@bird/store` → `store`; `@aws-sdk/client-s3/x` → `@aws-sdk/client-s3`; `node:*` and relative paths → null. */
function packageOf(specifier: string): string | null {
  if (specifier.startsWith('.') || specifier.startsWith('node:')) return null;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  return name.startsWith('@bird/') ? name.slice('@bird/'.length) : name;
}

describe('the import rules', () => {
  it('name every package, and only packages that exist', () => {
    expect(Object.keys(PACKAGE_RULES).sort()).toEqual(PACKAGES);
  });

  it.each(PACKAGES)('%s imports only what it may, by the entry points it must', (pkg) => {
    const rule = PACKAGE_RULES[pkg]!;
    const may = new Set(rule.may);
    const found: string[] = [];
    for (const file of shippedSources(join(REPO, 'packages', pkg, 'src'))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:\bfrom\s+|\bimport\(\s*|\brequire\(\s*)['"]([^'"]+)['"]/g)) {
        const name = packageOf(m[1]!);
        if (name === null || name === pkg) continue;
        const through = rule.through?.[name];
        if (!may.has(name) || (through !== undefined && m[1] !== through)) found.push(`${file.slice(REPO.length + 1)} imports ${m[1]}`);
      }
    }
    expect(found).toEqual([]);
  });

  it.each(PACKAGES)('%s/package.json declares only what it may import', (pkg) => {
    const json = JSON.parse(readFileSync(join(REPO, 'packages', pkg, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    const may = new Set(PACKAGE_RULES[pkg]!.may);
    expect(Object.keys(json.dependencies ?? {}).map((d) => packageOf(d)!).filter((d) => !may.has(d))).toEqual([]);
  });

  it('the README\'s table of packages says what the rules say', () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const rows = [...readme.matchAll(/^\| `packages\/([a-z-]+)` \| [^\n]*\| ([^|\n]+) \|$/gm)].map((m) => [m[1]!, m[2]!.trim()]);
    expect(Object.fromEntries(rows)).toEqual(Object.fromEntries(PACKAGES.map((p) => [p, PACKAGE_RULES[p]!.may.join(', ') || 'nothing'])));
  });
});
