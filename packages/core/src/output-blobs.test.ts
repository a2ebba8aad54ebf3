import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BirdError } from './errors.ts';
import { adoptBlob, blobRefOf, contentHashOf, deleteBlobs, hashOfBlobRef, listBlobRefs, readBlob, writeBlob } from './output-blobs.ts';
import { birdLayout } from './paths.ts';

const hash = contentHashOf(Buffer.from('hello'));
const layout = () => birdLayout(mkdtempSync(join(tmpdir(), 'bird-blobs-')));

describe('a blob is named by its content', () => {
  it.each([
    [blobRefOf(hash), hash],
    [`${hash.slice(0, 2)}/${hash}.zst`, null],
    [`00/${hash}.gz`, null],
    [`../${hash}.gz`, null],
    [`${hash.slice(0, 2)}/${hash.toUpperCase()}.gz`, null],
    [`${hash.slice(0, 2)}/${hash}.gz/..`, null],
    ['', null],
  ])('%s names %s', (ref, expected) => {
    expect(hashOfBlobRef(ref)).toBe(expected);
  });
});

describe('writeBlob, readBlob, deleteBlobs', () => {
  it('stores the same bytes once, and reads them back exactly', () => {
    const l = layout();
    const bytes = Buffer.from([0, 1, 2, 255, 254]);
    const h = contentHashOf(bytes);
    expect(writeBlob(l, h, bytes)).toBe(blobRefOf(h));
    expect(writeBlob(l, h, bytes)).toBe(blobRefOf(h));
    expect(listBlobRefs(l)).toEqual([blobRefOf(h)]);
    expect(readBlob(l, blobRefOf(h)).equals(bytes)).toBe(true);
    expect(readdirSync(l.tmp)).toEqual([]);
  });

  it('refuses a blob whose bytes are not the ones its name says, and a name that is not a blob', () => {
    const l = layout();
    const h = contentHashOf(Buffer.from('a'));
    writeBlob(l, h, Buffer.from('a'));
    writeFileSync(join(l.blobs, blobRefOf(h)), gzipSync(Buffer.from('b')));
    expect(() => readBlob(l, blobRefOf(h))).toThrow(/does not hold the bytes its name says/);
    writeFileSync(join(l.blobs, blobRefOf(h)), 'not gzip');
    expect(() => readBlob(l, blobRefOf(h))).toThrow(BirdError);
    expect(() => readBlob(l, '../../config.toml')).toThrow(/not a blob's name/);
    expect(() => readBlob(l, blobRefOf(hash))).toThrow(/is missing/);
  });

  it('deletes what it is given, once, and the folders left empty', () => {
    const l = layout();
    const a = contentHashOf(Buffer.from('a'));
    const b = contentHashOf(Buffer.from('b'));
    writeBlob(l, a, Buffer.from('a'));
    writeBlob(l, b, Buffer.from('b'));
    expect(deleteBlobs(l, [blobRefOf(a), blobRefOf(a)])).toBe(1);
    expect(listBlobRefs(l)).toEqual([blobRefOf(b)]);
    expect(readdirSync(l.blobs)).toEqual([b.slice(0, 2)]);
    expect(readFileSync(join(l.blobs, blobRefOf(b))).length).toBeGreaterThan(0);
  });
});

describe('adoptBlob: a blob from a lake is stored only when it is what its name says', () => {
  const hello = Buffer.from('hello');
  it.each([
    ['the right bytes', hash, gzipSync(hello), null],
    ['other bytes under its name', hash, gzipSync(Buffer.from('other')), 'its bytes do not hash to its name'],
    ['not gzip', hash, Buffer.from('hello'), 'it is not a whole gzip file within the size cap'],
    ['a gzip cut short', hash, gzipSync(hello).subarray(0, 8), 'it is not a whole gzip file within the size cap'],
    ['a name that is not 64 hex', '../etc', gzipSync(hello), 'its name is not 64 hex digits'],
  ])('%s', (_what, name, gz, problem) => {
    const l = layout();
    expect(adoptBlob(l, name, gz)).toBe(problem);
    expect(listBlobRefs(l)).toEqual(problem === null ? [blobRefOf(hash)] : []);
    if (problem === null) expect(readBlob(l, blobRefOf(hash))).toEqual(hello);
  });
});
