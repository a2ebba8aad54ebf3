import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBootId } from '@bird/core';
import { drainerMarkerStamp, isDrainerAlive, readDrainerMarker } from './drainer-alive.ts';

const root = join(mkdtempSync(join(tmpdir(), 'bird-drainer-alive-')), 'bird');
const spool = join(root, 'spool');

/** A process whose command line reads like a drainer's (`… --drain <root>`), alive until killed. */
async function fakeDrainer(of: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', 'process.stdout.write("up\\n"); setInterval(() => {}, 1e6)', '--', '--drain', of], { stdio: ['ignore', 'pipe', 'ignore'] });
  await once(child.stdout!, 'data');
  return child;
}

describe('whether drainer.pid names a live drainer of this root', () => {
  let ours: ChildProcess;
  let theirs: ChildProcess;
  let other: ChildProcess;

  beforeAll(async () => {
    mkdirSync(spool, { recursive: true });
    [ours, theirs, other] = await Promise.all([fakeDrainer(root), fakeDrainer(join(root, 'elsewhere')), fakeDrainer('')]);
  });

  afterAll(() => {
    for (const child of [ours, theirs, other]) child.kill();
  });

  const marked = (text: string) => {
    writeFileSync(join(spool, 'drainer.pid'), text);
    const marker = readDrainerMarker(spool);
    return marker !== null && isDrainerAlive(marker, root);
  };

  it.each([
    { what: 'a drainer of this root, of this boot', text: () => `${ours.pid} ${readBootId()}\n`, alive: true },
    { what: 'a drainer of this root, marked on another boot', text: () => `${ours.pid} another-boot\n`, alive: false },
    { what: 'a drainer of another root', text: () => `${theirs.pid} ${readBootId()}\n`, alive: false },
    { what: 'a drainer started without a root (an older hook): taken at its word', text: () => `${other.pid} ${readBootId()}\n`, alive: true },
    { what: 'a live process that is no drainer (this one)', text: () => `${process.pid} ${readBootId()}\n`, alive: false },
    { what: 'garbage', text: () => 'garbage\n', alive: false },
  ])('$what: $alive', ({ text, alive }) => {
    expect(marked(text())).toBe(alive);
  });

  it('a claim names its drainer by pid alone, and is asked the same way', () => {
    expect([isDrainerAlive(ours.pid!, root), isDrainerAlive(theirs.pid!, root), isDrainerAlive(process.pid, root)]).toEqual([true, false, false]);
  });

  it('a drainer marks itself as the hooks read it: pid and boot id, two fields', () => {
    expect(drainerMarkerStamp()).toBe(`${process.pid} ${readBootId()}\n`);
  });
});
