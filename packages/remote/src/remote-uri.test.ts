import { describe, expect, it } from 'vitest';
import { parseRemoteUri } from './remote-uri.ts';

const ctx = { cwd: '/work', home: '/home/u' };

describe('parseRemoteUri', () => {
  it.each([
    ['/srv/bird', '/srv/bird'],
    ['/srv/bird/', '/srv/bird'],
    ['/', '/'],
    ["/srv/o'neil data", "/srv/o'neil data"],
    ['file:///srv/bird', '/srv/bird'],
    ['file:///srv/with%20space', '/srv/with space'],
    ['~/lake', '/home/u/lake'],
    ['relative/dir', '/work/relative/dir'],
    ['./dir/../x', '/work/x'],
  ])('file %j → %j', (uri, root) => {
    expect(parseRemoteUri('file', uri, ctx)).toMatchObject({ type: 'file', root, canonical: root, database: false });
  });

  it('knows a .duckdb file for a database remote (the seed’s form)', () => {
    expect(parseRemoteUri('file', '/mnt/backup/bird.duckdb', ctx)).toMatchObject({ database: true, root: '/mnt/backup/bird.duckdb' });
    expect(parseRemoteUri('s3', 's3://team-bucket/bird/bird.duckdb', ctx)).toMatchObject({ database: true, bucket: 'team-bucket', prefix: 'bird/bird.duckdb' });
  });

  it.each([
    ['s3://my-bucket', 'my-bucket', '', 's3://my-bucket'],
    ['s3://my.bucket/team/bird/', 'my.bucket', 'team/bird/', 's3://my.bucket/team/bird'],
  ])('s3 %j → bucket %j, prefix %j', (uri, bucket, prefix, canonical) => {
    expect(parseRemoteUri('s3', uri, ctx)).toMatchObject({ type: 's3', bucket, prefix, canonical, database: false });
  });

  it.each([
    ['file', ''],
    ['file', '/srv/bi\nrd'],
    ['file', 'file://host/x'],
    ['s3', '/srv/bird'],
    ['s3', 's3://'],
    ['s3', 's3://ab'],
    ['s3', 's3://UPPER'],
    ['s3', 's3://bucket_name'],
    ['s3', 'https://bucket.s3.amazonaws.com/x'],
    ['s3', 's3://bucket//x'],
    ['s3', 's3://bucket/../x'],
    ['s3', 's3://a..b'],
  ] as const)('%s %j is refused in one sentence', (type, uri) => {
    expect(() => parseRemoteUri(type, uri, ctx)).toThrow(/\.$/);
  });
});
