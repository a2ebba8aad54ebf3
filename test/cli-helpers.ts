// Shared by the test/cli-*.test.ts files: build the real bundles, run them in a temp BIRD_ROOT.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect } from 'vitest';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const BIRD_BUNDLE = join(REPO, 'packages/cli/dist/bird.cjs');
export const CAPTURE_BUNDLE = join(REPO, 'packages/capture/dist/bird-capture.cjs');

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Builds the cli, capture and bird-sync bundles. The cli test files run in parallel, so they take turns
 * (a mkdir lock) rather than rewriting the same bundle while another file runs it.
 */
export function buildBundles(): void {
  const lock = join(tmpdir(), 'bird-cli-test-build.lock');
  const started = Date.now();
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() - started > 60_000) rmSync(lock, { recursive: true, force: true });
      sleep(50);
    }
  }
  try {
    execFileSync(process.execPath, ['scripts/build.mjs', 'cli', 'capture', 'sync-worker'], { cwd: REPO, stdio: 'pipe' });
  } finally {
    rmdirSync(lock);
  }
}

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A scratch folder holding a BIRD_ROOT (not created) and a HOME. */
export class Sandbox {
  readonly dir = mkdtempSync(join(tmpdir(), 'bird-cli-'));
  readonly home = join(this.dir, 'home');
  root = join(this.dir, 'root');

  constructor() {
    mkdirSync(this.home);
  }

  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('BIRD_')) env[key] = value;
    return { ...env, HOME: this.home, TZ: 'UTC', BIRD_ROOT: this.root, BIRD_CLIENT_ID: 'tester@box', ...extra };
  }

  /** `input`: piped to bird's standard input (otherwise an empty pipe). */
  bird(args: string[], options: { env?: Record<string, string>; cwd?: string; input?: string } = {}): Run {
    const result = spawnSync(process.execPath, [BIRD_BUNDLE, ...args], {
      env: this.env(options.env),
      cwd: options.cwd ?? this.dir,
      input: options.input ?? '',
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (result.error) throw result.error;
    return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
  }

  /** Records one finished command through the real `bird-capture` (`env`: as bird() takes it). */
  capture(c: { cmd: string; exit: number; startUs: bigint; durationMs?: number; cwd?: string; session?: string; env?: Record<string, string> }): void {
    const endUs = c.startUs + BigInt(c.durationMs ?? 5) * 1000n;
    const result = spawnSync(
      process.execPath,
      [CAPTURE_BUNDLE, '--cmd', c.cmd, '--exit', String(c.exit), '--start-us', String(c.startUs), '--end-us', String(endUs),
        '--cwd', c.cwd ?? '/tmp', '--session', c.session ?? 'session-1', '--shell', 'bash'],
      { env: this.env(c.env), encoding: 'utf8' },
    );
    if (result.status !== 0) throw new Error(`bird-capture failed (${result.status}): ${result.stderr}`);
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A failure as the contract wants it: exit `code`, nothing on stdout, one `bird: ` line, no stack. */
export function expectOneLineError(run: Run, code: number, pattern: RegExp): void {
  expect({ code: run.code, stdout: run.stdout }).toEqual({ code, stdout: '' });
  const lines = run.stderr.split('\n').filter((line) => line !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^bird: /);
  expect(lines[0]).toMatch(pattern);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

/** 2025-11-26T23:33:20Z in epoch microseconds, plus `seconds`. */
export const at = (seconds: number) => 1_764_200_000_000_000n + BigInt(seconds) * 1_000_000n;

/** One step of a terminal session: once `waitFor` has been shown (since the previous step), type `keys`. */
export interface TerminalStep {
  readonly waitFor: RegExp;
  readonly keys: string;
}

/**
 * Runs the built bird in a pseudo-terminal, so that its stdout (and /dev/tty, for the search) is
 * a terminal. `steps` drive an interactive run. What it wrote comes back with the terminal's
 * CR-LF turned into LF; a run that has not ended after `timeoutMs` is killed, as exit -1.
 */
export async function inTerminal(
  box: Sandbox,
  args: string[],
  options: { cols?: number; rows?: number; env?: Record<string, string>; cwd?: string; steps?: readonly TerminalStep[]; timeoutMs?: number } = {},
): Promise<{ code: number; out: string }> {
  const pty = await import('node-pty');
  const term = pty.spawn(process.execPath, [BIRD_BUNDLE, ...args], {
    cols: options.cols ?? 200,
    rows: options.rows ?? 40,
    cwd: options.cwd ?? box.dir,
    env: box.env(options.env) as Record<string, string>,
  });
  const steps = [...(options.steps ?? [])];
  let out = '';
  let from = 0;
  term.onData((data) => {
    out += data;
    while (steps.length > 0 && steps[0]!.waitFor.test(out.slice(from))) {
      from = out.length;
      term.write(steps.shift()!.keys);
    }
  });
  const code = await new Promise<number>((resolve) => {
    const timer = setTimeout(() => {
      term.kill();
      resolve(-1);
    }, options.timeoutMs ?? 20_000);
    term.onExit((e) => {
      clearTimeout(timer);
      resolve(e.exitCode);
    });
  });
  return { code, out: out.replaceAll('\r\n', '\n') };
}

/** A factory for sandboxes that are all removed after the file's tests. */
export function sandboxFactory(): () => Sandbox {
  const made: Sandbox[] = [];
  afterAll(() => made.forEach((s) => s.cleanup()));
  return () => {
    const s = new Sandbox();
    made.push(s);
    return s;
  };
}
