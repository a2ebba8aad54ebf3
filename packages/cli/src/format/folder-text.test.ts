import { describe, expect, it } from 'vitest';
import { folderText, folderWidth, shortenHome } from './folder-text.ts';
import { escapePlain } from './text-width.ts';

describe('shortenHome', () => {
  it.each([
    ['/home/ana/src', '/home/ana', '~/src'],
    ['/home/ana', '/home/ana/', '~'],
    ['/home/anabel/x', '/home/ana', '/home/anabel/x'],
    ['/tmp', undefined, '/tmp'],
    ['/etc', '/', '/etc'],
  ])('%s with HOME=%s → %s', (path, home, expected) => {
    expect(shortenHome(path, home)).toBe(expected);
  });
});

describe('folderWidth', () => {
  it.each([
    [20, 8],
    [60, 12],
    [80, 16],
    [120, 24],
    [300, 24],
  ])('%i columns → %i', (width, folder) => {
    expect(folderWidth(width)).toBe(folder);
  });
});

describe('folderText', () => {
  it.each<[string, number, string]>([
    ['/home/ana/src', 20, '~/src'],
    ['/home/ana/work/clients/acme/services/billing', 20, '…/services/billing'],
    ['/srv/a-very-long-folder-name', 12, '…folder-name'],
    ['/tmp/\x1b]0;title\x07', 40, '/tmp/\\x1b]0;title\\x07'],
    ['/tmp/\x1b]0;title\x07', 8, '…tle\\x07'],
  ])('%j in %i columns → %j', (path, width, shown) => {
    expect(folderText(path, '/home/ana', width)).toBe(shown);
  });

  it('takes the view’s own escaping', () => {
    expect(folderText('C:\\tmp\n', undefined, Infinity, escapePlain)).toBe('C:\\\\tmp\\n');
  });
});
