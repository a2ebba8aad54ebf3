import { claimName, parseSpoolName } from './spool-names.ts';

export interface SpoolListing {
  readonly name: string;
  readonly size: number;
}

export interface DrainWorld {
  readonly myPid: number;
  /** Claims this drainer holds and is still working on. */
  readonly myClaims: ReadonlySet<string>;
  readonly isShellAlive: (pid: number) => boolean;
  /** True when `pid` is a running drainer (not just any process that reused the pid). */
  readonly isDrainerAlive: (pid: number) => boolean;
  /** False once this drainer has begun to exit: it finishes its claims but takes no new ones. */
  readonly takeNew: boolean;
}

export type DrainAction =
  /** Rename a spool file to our claim name; recreate an empty one (0600) if its shell lives on and appends. */
  | { readonly kind: 'claim'; readonly from: string; readonly to: string; readonly recreate: boolean }
  /** Take over a claim whose drainer died (kill -9, crash, reboot) and redo it from the start. */
  | { readonly kind: 'reclaim'; readonly from: string; readonly to: string }
  /** Clean up what a dead shell left with nothing in it. */
  | { readonly kind: 'remove'; readonly name: string };

/**
 * Decides what one pass over the spool folder does. Pure: the listing and the liveness answers
 * come in, the steps go out. A rename is the unit of ownership: of two drainers racing for the
 * same file exactly one rename succeeds, and the loser simply moves on.
 *
 * A rename also replaces whatever holds its target name, so no target may ever name a file that
 * exists: a shell's spool is claimed again while an older claim of it is still held (in its grace
 * period, backing off after a failed write, or left by a drainer killed with -9), and both must
 * survive. Targets carry this drainer's pid, which no other live drainer uses, and a number
 * picked past every name in the listing, every claim held, and every target already planned.
 */
export function planDrain(listing: readonly SpoolListing[], world: DrainWorld): DrainAction[] {
  const actions: DrainAction[] = [];
  const taken = new Set<string>([...listing.map((l) => l.name), ...world.myClaims]);
  const target = (spool: string): string => {
    let seq = 1;
    while (taken.has(claimName(spool, world.myPid, seq))) seq++;
    const name = claimName(spool, world.myPid, seq);
    taken.add(name);
    return name;
  };
  for (const { name, size } of listing) {
    const entry = parseSpoolName(name);
    if (!entry) continue;
    switch (entry.kind) {
      case 'spool':
        if (size > 0) {
          if (world.takeNew) {
            const recreate = entry.appendable && world.isShellAlive(entry.ownerPid);
            actions.push({ kind: 'claim', from: name, to: target(name), recreate });
          }
        } else if (!world.isShellAlive(entry.ownerPid)) {
          actions.push({ kind: 'remove', name });
        }
        break;
      case 'claim': {
        if (world.myClaims.has(name)) break;
        // Our own pid on a claim we do not remember: left by an earlier process with this pid.
        const orphan = entry.claimerPid === world.myPid || !world.isDrainerAlive(entry.claimerPid);
        if (orphan && world.takeNew) actions.push({ kind: 'reclaim', from: name, to: target(entry.spool.name) });
        break;
      }
      case 'hist':
        if (!world.isShellAlive(entry.ownerPid)) actions.push({ kind: 'remove', name });
        break;
      default: {
        const never: never = entry;
        throw new Error(`unhandled spool entry ${String(never)}`);
      }
    }
  }
  return actions;
}

export interface ClaimProgress {
  /** Bytes of the claim file already turned into rows. */
  readonly consumed: number;
  readonly size: number;
  /** Milliseconds since the claim file last grew. */
  readonly quietMs: number;
  readonly shellAlive: boolean;
}

export type ClaimVerdict = 'keep' | 'done' | 'torn';

/**
 * When a claimed file may be deleted. A shell that opened the spool for appending just before
 * our rename still writes into the claimed file, so a claim is kept until it has been quiet
 * for `graceMs` (or its shell is gone); an unfinished last record is waited for up to `tornMs`
 * while its shell lives, then judged torn (a write cut short by Ctrl-C or a crash).
 */
export function judgeClaim(p: ClaimProgress, graceMs: number, tornMs: number): ClaimVerdict {
  const complete = p.consumed >= p.size;
  if (complete) return !p.shellAlive || p.quietMs >= graceMs ? 'done' : 'keep';
  return !p.shellAlive || p.quietMs >= tornMs ? 'torn' : 'keep';
}
