import { describe, expect, it } from 'vitest';
import { BirdError } from './errors.ts';
import { cachedSchemaName, remoteSchemaName, remoteSchemaSuffix, validateRemoteName, validateRemoteNameSyntax } from './remote-name.ts';

describe('validateRemoteName', () => {
  it.each(['team', 'my-team', 'my_team', 'A', 'team2', `t${'x'.repeat(62)}`])('accepts %j', (name) => {
    expect(validateRemoteName(name)).toBe(name);
  });

  it.each([
    ['empty', ''],
    ['a single quote', "te'am"],
    ['a double quote', 'te"am'],
    ['a semicolon', 'team;drop'],
    ['a space', 'my team'],
    ['a parent-folder part', '..'],
    ['dots', 'a..b'],
    ['a slash', 'a/b'],
    ['a leading digit', '1team'],
    ['a leading dash', '-team'],
    ['a leading underscore', '_team'],
    ['a newline', 'team\n'],
    ['unicode', 'tëam'],
    ['64 characters', `t${'x'.repeat(63)}`],
    ['200 characters', 'a'.repeat(200)],
  ])('rejects %s in one sentence', (_name, name) => {
    let caught: unknown;
    try {
      validateRemoteName(name);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(BirdError);
    const message = (caught as BirdError).message;
    expect(message).toContain(JSON.stringify(name));
    expect(message).toMatch(/use a letter followed by/);
    expect(message).toMatch(/\.$/);
    expect(message).not.toContain('\n');
    expect((caught as BirdError).exitCode).toBe(2);
  });
});

describe('reserved remote names', () => {
  it.each(['placeholder', 'PlaceHolder'])('validateRemoteName refuses %j; the syntax check alone accepts it', (name) => {
    expect(() => validateRemoteName(name)).toThrow(/^remote name .* is reserved by BIRD .*; choose another name\.$/);
    expect(validateRemoteNameSyntax(name)).toBe(name);
  });
});

describe('schema names', () => {
  it.each([
    ['my-team', 'my_team'],
    ['team', 'team'],
    ['My-Team', 'my_team'],
  ])('%j → cached_%s / remote_%s', (name, suffix) => {
    expect(remoteSchemaSuffix(name)).toBe(suffix);
    expect(cachedSchemaName(name)).toBe(`cached_${suffix}`);
    expect(remoteSchemaName(name)).toBe(`remote_${suffix}`);
  });

  it('refuses to make a schema name from a bad remote name', () => {
    expect(() => cachedSchemaName('x"; DROP SCHEMA main; --')).toThrow(BirdError);
  });
});
