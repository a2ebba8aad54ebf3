// Rules of the source that review would otherwise have to remember. An error a package drops
// must say why dropping it is right: a `catch` that neither reads its error nor throws carries a
// comment in its block, and a promise's `.catch` whose handler takes no error carries one on its
// line or the line above. A silent catch is either a decision nobody wrote down or a bug.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO } from './cli-helpers.ts';
import { shippedSources } from './support/files.ts';

/** Whether the text from `start` to `end` of `file` holds a comment (scanned as TypeScript, so `'//'` in a string is none). */
function holdsComment(file: ts.SourceFile, start: number, end: number): boolean {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, file.text, undefined, start, end - start);
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    if (kind === ts.SyntaxKind.SingleLineCommentTrivia || kind === ts.SyntaxKind.MultiLineCommentTrivia) return true;
  }
  return false;
}

function reads(block: ts.Block, name: ts.BindingName | undefined): boolean {
  if (name === undefined || !ts.isIdentifier(name)) return name !== undefined; // a destructured binding reads its parts
  let found = false;
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && node.text === name.text) found = true;
    else if (!found) ts.forEachChild(node, visit);
  };
  visit(block);
  return found;
}

const lineOf = (file: ts.SourceFile, pos: number) => file.getLineAndCharacterOfPosition(pos).line;

/** `path:line what` for each error `source` drops without saying why. */
function silentCatches(path: string, source: string): string[] {
  const file = ts.createSourceFile(path, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: string[] = [];
  const report = (node: ts.Node, what: string) => found.push(`${path}:${lineOf(file, node.getStart(file)) + 1} ${what}`);
  const visit = (node: ts.Node): void => {
    if (ts.isCatchClause(node)) {
      const { block } = node;
      const last = block.statements.at(-1);
      const replaced = last !== undefined && ts.isThrowStatement(last);
      // From the `catch` keyword on: a comment after `catch {` on its line counts too.
      if (!reads(block, node.variableDeclaration?.name) && !replaced && !holdsComment(file, node.getStart(file), block.end)) {
        report(node, block.statements.length === 0 ? 'empty catch' : 'catch that drops its error');
      }
    }
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'catch') {
      const handler = node.arguments[0];
      if (handler !== undefined && (ts.isArrowFunction(handler) || ts.isFunctionExpression(handler)) && handler.parameters.length === 0) {
        const line = lineOf(file, node.expression.name.getStart(file));
        const from = file.getPositionOfLineAndCharacter(Math.max(0, line - 1), 0);
        const to = line + 1 < file.getLineStarts().length ? file.getPositionOfLineAndCharacter(line + 1, 0) : file.text.length;
        if (!holdsComment(file, from, to)) report(node.expression.name, '.catch that drops its error');
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

describe('the rule itself', () => {
  it.each([
    ['an empty catch', 1, 'try { f(); } catch {}'],
    ['an empty catch with a binding', 1, 'try { f(); } catch (e) {}'],
    ['a catch that returns a default', 1, 'try { return f(); } catch {\n  return null;\n}'],
    ['a binding it never reads', 1, 'try { return f(); } catch (error) {\n  return null;\n}'],
    ['"//" inside a string is no comment', 1, "try { f(); } catch {\n  log('see http://x');\n}"],
    ['a .catch dropping the error', 1, 'await p.catch(() => undefined);'],
    ['a comment in the block', 0, 'try { f(); } catch {\n  // gone already: nothing to remove\n}'],
    ['a comment after the statement', 0, 'try { return f(); } catch {\n  return null; // not there: no holder\n}'],
    ['a comment on the catch line', 0, 'try { f(); } catch { // gone already\n}'],
    ['a catch that reads its error', 0, 'try { f(); } catch (error) {\n  log(error);\n}'],
    ['a catch that throws a clearer error', 0, "try { f(); } catch {\n  throw new BirdError('no');\n}"],
    ['a .catch with a comment above', 0, '// already detached\nawait p.catch(() => undefined);'],
    ['a .catch that takes the error', 0, 'await p.catch((error: unknown) => log(error));'],
  ])('%s: flagged %i time(s)', (_, count, source) => {
    expect(silentCatches('x.ts', source)).toHaveLength(count);
  });
});

describe('package sources', () => {
  const packages = readdirSync(join(REPO, 'packages')).filter((p) => statSync(join(REPO, 'packages', p)).isDirectory()).sort();

  it.each(packages)('%s drops no error without saying why', (pkg) => {
    const found = shippedSources(join(REPO, 'packages', pkg, 'src')).flatMap((file) => silentCatches(relative(REPO, file), readFileSync(file, 'utf8')));
    expect(found).toEqual([]);
  });
});
