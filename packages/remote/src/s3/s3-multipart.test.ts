// A large object takes the multipart path (lib-storage's Upload) and comes back byte for byte,
// on a real S3-compatible server. (s3rver's ETags do not show the part count, so this proves the
// path works, not that parts were used.)
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { useTestBackends } from '../testing/backends.ts';
import { MULTIPART_FROM_BYTES } from './s3-remote-backend.ts';

const backends = useTestBackends();

it('an object above the multipart size uploads in parts and reads back whole', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bird-multipart-'));
  const source = join(dir, 'big.parquet');
  const bytes = randomBytes(MULTIPART_FROM_BYTES + 3 * 1024 * 1024 + 17);
  writeFileSync(source, bytes);
  const backend = await backends.make.s3();
  try {
    await backend.put('invocations/client=a/date=2024-06-01/big.parquet', source);
    const [listed] = await backend.list('invocations/');
    expect(listed).toMatchObject({ key: 'invocations/client=a/date=2024-06-01/big.parquet', size: bytes.length });
    const back = join(dir, 'back.parquet');
    expect(await backend.get(listed!.key, back)).toBe(bytes.length);
    expect(readFileSync(back).equals(bytes)).toBe(true);
  } finally {
    backend.close();
  }
}, 60_000);
