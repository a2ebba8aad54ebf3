// What "top commands" counts a command line under: the program that really ran, plus its
// subcommand for tools that are many commands in one (`git commit` and `git push` are different
// habits; `ls -la` and `ls src` are the same one).

/**
 * Words that run the command after them. Their own flags are skipped, and `valueFlags` also
 * skip the word after them (`sudo -u root`). Deliberately absent: `watch`, `xargs`, `timeout`,
 * `strace` and the like, which are tools in their own right and take positional arguments
 * before the command, so stripping them simply would take the wrong word.
 */
const WRAPPERS: Readonly<Record<string, ReadonlySet<string>>> = {
  sudo: new Set(['-u', '-g', '-h', '-p', '-C', '-D', '-r', '-t', '-T', '-U', '--user', '--group', '--host', '--prompt', '--close-from', '--chdir', '--role', '--type', '--command-timeout', '--other-user']),
  doas: new Set(['-u', '-C']),
  env: new Set(['-u', '-C', '-S', '--unset', '--chdir', '--split-string']),
  command: new Set(),
  builtin: new Set(),
  exec: new Set(['-a']),
  nohup: new Set(),
  time: new Set(['-f', '-o', '--format', '--output']),
  nice: new Set(['-n', '--adjustment']),
  noglob: new Set(),
};

/**
 * Tools counted with their subcommand, each with the global flags that take a value before it
 * (`git -C path commit`), so the value is not mistaken for the subcommand. A value attached with
 * `=` (`--namespace=x`) or glued to a short flag (`-Cpath`) is one word and needs no entry.
 */
const SUBCOMMAND_TOOLS: Readonly<Record<string, ReadonlySet<string>>> = {
  git: new Set(['-C', '-c', '--git-dir', '--work-tree', '--namespace', '--config-env', '--super-prefix']),
  hg: new Set(['-R', '--repository', '--cwd', '--config']),
  jj: new Set(['-R', '--repository', '--at-op', '--config']),
  svn: new Set(['--username', '--password', '--config-dir', '--config-option']),
  docker: new Set(['-c', '--context', '--config', '-H', '--host', '-l', '--log-level']),
  'docker-compose': new Set(['-f', '--file', '-p', '--project-name', '--project-directory', '--env-file', '--profile']),
  podman: new Set(['-c', '--connection', '--url', '--root', '--runroot', '--log-level']),
  kubectl: new Set(['-n', '--namespace', '--context', '--cluster', '--user', '-s', '--server', '--kubeconfig', '--as', '--token']),
  helm: new Set(['-n', '--namespace', '--kube-context', '--kubeconfig']),
  minikube: new Set(['-p', '--profile']),
  kind: new Set(),
  terraform: new Set(),
  tofu: new Set(),
  vagrant: new Set(),
  npm: new Set(['--prefix', '-w', '--workspace']),
  npx: new Set(['-p', '--package']),
  pnpm: new Set(['-C', '--dir', '-F', '--filter']),
  yarn: new Set(['--cwd']),
  bun: new Set(['--cwd']),
  deno: new Set(),
  nx: new Set(),
  cargo: new Set(['-C', '-Z', '--config', '--color']),
  rustup: new Set(),
  go: new Set(['-C']),
  pip: new Set(['--python']),
  pip3: new Set(['--python']),
  uv: new Set(['--directory', '--project']),
  poetry: new Set(['-C', '--directory']),
  conda: new Set(),
  apt: new Set(['-o', '-c', '-t']),
  'apt-get': new Set(['-o', '-c', '-t']),
  dnf: new Set(['-c', '--config', '--releasever']),
  yum: new Set(['-c', '--config', '--releasever']),
  brew: new Set(),
  snap: new Set(),
  flatpak: new Set(),
  nix: new Set(['--option']),
  systemctl: new Set(['-H', '--host', '-M', '--machine']),
  journalctl: new Set(),
  gh: new Set(['-R', '--repo']),
  aws: new Set(['--profile', '--region', '--output', '--endpoint-url']),
  gcloud: new Set(['--project', '--account', '--configuration']),
  az: new Set(),
  tmux: new Set(['-L', '-S', '-f']),
  mise: new Set(['-C', '--cd']),
  asdf: new Set(),
  bird: new Set(),
  'bird-sync': new Set(),
};

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;
/** What a subcommand looks like; anything else (`$(…)`, a path, a URL) leaves the tool alone. */
const SUBCOMMAND = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;
/** Enough words for any wrapper chain and the subcommand; the rest of a long line is never read. */
const MAX_WORDS = 32;

/**
 * The key a command line is counted under in "top commands".
 *
 * @example
 * commandKey('FOO=1 sudo -u root /usr/bin/git -C repo commit -m x') // 'git commit'
 * commandKey('ls -la') // 'ls'
 */
export function commandKey(cmd: string): string {
  const words = simpleCommandWords(cmd);
  let i = 0;
  for (;;) {
    const start = i;
    while (i < words.length && ASSIGNMENT.test(words[i]!)) i++;
    const wrapper = i < words.length ? WRAPPERS[basename(words[i]!)] : undefined;
    if (wrapper !== undefined) {
      const name = basename(words[i]!);
      // `command -v git` asks where git is; it does not run it.
      if (name === 'command' && /^-[a-zA-Z]*[vV]/.test(words[i + 1] ?? '')) return 'command';
      const next = skipFlags(words, i + 1, wrapper);
      if (next >= words.length) return name;
      i = next;
    }
    if (i === start) break;
  }
  if (i >= words.length) {
    // Only assignments (`FOO=bar`): counted under the name, never the value, which may be a secret.
    return i > 0 ? words[0]!.slice(0, words[0]!.indexOf('=') + 1) : '';
  }
  const tool = basename(words[i]!);
  const valueFlags = SUBCOMMAND_TOOLS[tool];
  if (valueFlags === undefined) return tool;
  const sub = words[skipFlags(words, i + 1, valueFlags, tool === 'cargo' || tool === 'rustup')];
  return sub !== undefined && SUBCOMMAND.test(sub) ? `${tool} ${sub}` : tool;
}

/** The first word at or after `i` that is not a flag (nor the value of one in `valueFlags`). */
function skipFlags(words: readonly string[], i: number, valueFlags: ReadonlySet<string>, plusIsFlag = false): number {
  while (i < words.length) {
    const word = words[i]!;
    if (word === '--') return i + 1;
    if (word.startsWith('-') && word.length > 1) {
      i += valueFlags.has(word) ? 2 : 1;
    } else if (plusIsFlag && word.startsWith('+')) {
      i++; // cargo +nightly build
    } else {
      return i;
    }
  }
  return i;
}

function basename(word: string): string {
  const slash = word.lastIndexOf('/');
  return slash < 0 || slash === word.length - 1 ? word : word.slice(slash + 1);
}

/**
 * The words of the first simple command on the line, with shell quoting removed: it stops at an
 * unquoted `|`, `&`, `;`, `<`, `>`, `(`, `)`, newline or comment, since what follows is another command
 * (or a redirection, which names no program). Expansions are left as they are written.
 */
function simpleCommandWords(cmd: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  // A leading subshell or negation is not the program: `(cd x; make)` counts as `cd`.
  while (i < cmd.length && /[\s(!]/.test(cmd[i]!)) i++;
  const end = () => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  for (; i < cmd.length && words.length < MAX_WORDS; i++) {
    const c = cmd[i]!;
    if (c === ' ' || c === '\t') {
      end();
    } else if (c === '\n' || c === '\r' || c === '|' || c === '&' || c === ';' || c === '<' || c === '>' || c === '(' || c === ')' || (c === '#' && !inWord)) {
      break;
    } else if (c === '\\') {
      inWord = true;
      if (i + 1 < cmd.length) word += cmd[++i];
    } else if (c === "'") {
      inWord = true;
      const close = cmd.indexOf("'", i + 1);
      const stop = close < 0 ? cmd.length : close;
      word += cmd.slice(i + 1, stop);
      i = stop;
    } else if (c === '"') {
      inWord = true;
      for (i++; i < cmd.length && cmd[i] !== '"'; i++) {
        if (cmd[i] === '\\' && i + 1 < cmd.length && '"\\$`'.includes(cmd[i + 1]!)) i++;
        word += cmd[i];
      }
    } else {
      inWord = true;
      word += c;
    }
  }
  end();
  return words;
}
