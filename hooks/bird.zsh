# BIRD capture hook for zsh: `source /path/to/hooks/bird.zsh` in ~/.zshrc.
#
# After each command this appends one record to a per-shell spool file with builtins only (no
# fork, no $(...)), then makes sure a drainer (`bird-capture --drain`) is alive to store it (a
# Parquet file, or a row of bird.duckdb in duckdb mode). Only when none is alive does it fork,
# once, to start one; the drainer lingers, so a burst of commands costs one Node start. See packages/capture/src/spool/record-format.ts for the
# record format and why it is safe against torn writes.
#
# Time: zsh/datetime's $EPOCHREALTIME, read in preexec (start) and precmd (end): microseconds.
# Settings: BIRD_ROOT, BIRD_DISABLED=1 (nothing is even spooled), BIRD_CLIENT_ID,
# BIRD_CAPTURE_BIN (bird-capture's bundle; default: this install's), BIRD_NODE (default: node).
# A command starting with a space is not recorded. What config.toml says for the hook, bird
# resolves (see __bird_settings); where bird's files are, install.zsh beside this file says.

# Sourced by bash (zsh reads these two lines alike): say which file that shell needs.
test -n "$ZSH_VERSION" || echo "bird: hooks/bird.zsh is the zsh hook; in bash source hooks/bird.bash instead (fish: hooks/bird.fish)." >&2
test -n "$ZSH_VERSION" || return 1
[[ -o interactive ]] || return 0
(( ${+__bird_sid} )) && return 0   # sourced twice: keep the first hooks, add none
zmodload zsh/datetime 2>/dev/null || return 0

# Where bird's files are, in the install and in BIRD_ROOT (__bird_i_*, __bird_r_*): install.zsh
# beside this file, written by scripts/build.mjs from the one list of them. `bird hook zsh`
# prints the same lines before this file, and the install's folder.
if (( ! ${+__bird_install} )); then
  if ! source ${${(%):-%x}:A:h}/install.zsh; then
    print -ru2 -- "bird: ${${(%):-%x}:A:h}/install.zsh could not be read, so the hook is not loaded: restore it (git checkout hooks) or reinstall bird."
    return 1
  fi
  typeset -g __bird_install=${${${(%):-%x}:A:h}%/$__bird_i_hooks}
fi
typeset -g __bird_bin=${BIRD_CAPTURE_BIN:-$__bird_install/$__bird_i_capture}
# In a clone, `npm install` links bird only into node_modules/.bin: when no bird is on PATH, the
# clone's bin/ (bird, bird-sync and bird-capture, nothing else) goes at the end of PATH.
if (( ! ${+commands[bird]} )) && [[ -x $__bird_install/$__bird_i_bin/bird ]]; then
  PATH=${PATH:+$PATH:}$__bird_install/$__bird_i_bin
fi
typeset -g __bird_boot=
typeset -gi __bird_proc=0
[[ -d /proc/self ]] && __bird_proc=1
{ read -r __bird_boot </proc/sys/kernel/random/boot_id } 2>/dev/null
# host, pid and start time make it unique across machines and across shells of one machine;
# $RANDOM covers two hosts with the same name. All of it is read without a fork.
typeset -g __bird_sid=${${HOST%%.*}//[^A-Za-z0-9_-]/_}-$$-${EPOCHREALTIME//[.,]/}-$RANDOM
typeset -g __bird_start= __bird_cwd= __bird_cmd= __bird_root_for= __bird_root= __bird_spool= __bird_marker=
# Records not yet written to the spool (it could not be written), and whether errors.log was told.
typeset -g __bird_held= __bird_warned=
# The last drainer pid this shell checked in /proc.
typeset -g __bird_verified=
# Passive output capture: this shell's recorder log when it runs under one, and the key of the
# command whose output is being recorded.
typeset -g __bird_rec_log= __bird_mark=

__bird_paths() {
  __bird_root_for=${BIRD_ROOT-}
  __bird_root=${BIRD_ROOT:-${XDG_DATA_HOME:-$HOME/.local/share}/bird}
  [[ $__bird_root == /* ]] || __bird_root=$PWD/$__bird_root
  __bird_spool=$__bird_root/$__bird_r_spool
  __bird_marker=$__bird_root/$__bird_r_marker
}

__bird_preexec() {
  __bird_start=$EPOCHREALTIME
  __bird_cwd=$PWD
  __bird_cmd=$1
  # Under the recorder: where this command's output starts (see the end of this file).
  if [[ -n $__bird_rec_log && ${BIRD_DISABLED-} != 1 && $1 != ' '* ]]; then
    __bird_mark=$__bird_sid:$__bird_start
    __bird_term_marks && print -n $'\e]133;C\a'
    print -n "\e]6973;C;$__bird_mark\a"
  fi
}

__bird_precmd() {
  local st=$?   # first: the status of the command that just ran
  if [[ -n $__bird_mark ]]; then
    print -n "\e]6973;D;$__bird_mark\a"
    __bird_term_marks && print -n "\e]133;D;$st\a"
    __bird_mark=
  fi
  if [[ -n $__bird_start ]]; then
    local end=$EPOCHREALTIME start=$__bird_start
    __bird_start=
    __bird_record $st $start $end
  elif [[ -n $__bird_held ]]; then
    # Empty line or Ctrl-C at the prompt: nothing ran. Records held back are retried anyway.
    __bird_spool_rec ''
  fi
  # Hooks added since (a plugin loaded later, add-zsh-hook typed) go after the hook's own by
  # their own code: put back outside them, so the next duration holds the command alone.
  [[ ${precmd_functions[1]} == __bird_precmd && ${preexec_functions[-1]} == __bird_preexec ]] || __bird_outermost
  [[ -n $__bird_rec_log ]] && __bird_term_marks && print -n $'\e]133;A\a'
  return $st
}

# precmd first (it must see the command's $? before another precmd function changes it, and
# take the end at once) and preexec last (the start as late as can be).
__bird_outermost() {
  precmd_functions=(__bird_precmd ${precmd_functions:#__bird_precmd})
  preexec_functions=(${preexec_functions:#__bird_preexec} __bird_preexec)
}

# The shell is exiting while a command line it started has not reached precmd: `exit` typed in
# it, or the terminal closed under it (then /dev/tty is gone: the hang-up killed the command, as
# SIGHUP's 128+1). Recorded like any other; zsh runs zshexit on a hang-up too.
__bird_zshexit() {
  local st=$?
  # A closing terminal often sends SIGHUP twice (the kernel's hang-up, then the terminal's own);
  # the second must not cut this short. The shell is exiting anyway.
  trap '' HUP
  if [[ -n $__bird_start ]]; then
    local end=$EPOCHREALTIME start=$__bird_start
    __bird_start=
    { : </dev/tty } 2>/dev/null || st=129
    __bird_record $st $start $end
  elif [[ -n $__bird_held ]]; then
    __bird_spool_rec ''
  fi
  return $st
}

# status start end → the record of $__bird_cmd, spooled (or held until it can be).
__bird_record() {
  [[ ${BIRD_DISABLED-} == 1 || $__bird_cmd == ' '* || -z $__bird_cmd ]] && return 0
  [[ ${BIRD_ROOT-} == "$__bird_root_for" && -n $__bird_root ]] || __bird_paths
  # Escapes as record-format.ts reads them; a NUL (Ctrl-V Ctrl-@) becomes \0, stored as U+2400.
  local nl=$'\n' tab=$'\t' bs='\' nul=$'\0'
  local c=${${${${__bird_cmd//$bs/$bs$bs}//$nl/${bs}n}//$tab/${bs}t}//$nul/${bs}0}
  local d=${${${${__bird_cwd//$bs/$bs$bs}//$nl/${bs}n}//$tab/${bs}t}//$nul/${bs}0}
  local id=${BIRD_CLIENT_ID-}
  id=${${${id//$bs/$bs$bs}//$nl/${bs}n}//$tab/${bs}t}
  __bird_spool_rec $nl'b1'$tab'zsh'$tab$__bird_sid$tab$$$tab$2$tab$3$tab$tab$1$tab$id$tab$d$tab$c$tab'e'$nl
}

# Appends a record (after any held back) to this shell's spool file and makes sure a drainer is
# alive. What cannot be written (the spool folder replaced by a file, unwritable, a full disk)
# stays in $__bird_held, in this shell's memory, and goes out with the next record that can be.
__bird_spool_rec() {
  local rec=$__bird_held$1 file=$__bird_spool/$$.$__bird_sid.spool unseen=
  # The marker's pid is checked for really being a drainer (after a kill -9 it can name a zombie
  # or a pid reused by another program) the first time this shell sees it, and again whenever
  # data left in the file since an earlier prompt says no drainer has been by. The common case,
  # a known drainer and an empty file, costs two stats.
  [[ -s $file ]] && unseen=1
  # Append only to a file that exists: the drainer creates it 0600, so records never land in a
  # file made with the user's umask. The first record of a shell goes the slow way below.
  if [[ -n $unseen || -f $file ]] && { print -rn -- $rec >>$file } 2>/dev/null; then
    __bird_held=
    local pid= boot=
    { read -r pid boot <$__bird_marker } 2>/dev/null
    if [[ -n $pid && $pid != *[^0-9]* && $boot == "$__bird_boot" ]] && __bird_alive $pid; then
      [[ -z $unseen && $pid == $__bird_verified ]] && return 0
      __bird_is_drainer $pid && { __bird_verified=$pid; return 0 }
    fi
    rec=
  fi
  if __bird_launch "$rec" "$file"; then   # quoted: an empty record must stay an argument
    __bird_held=
  else
    __bird_held=$rec
    __bird_warned=1
  fi
}

# True when pid $1 is a live process. With the callers' checks this is bird's one liveness rule
# (packages/core/src/process-liveness.ts, PROTOCOL.md "Lock files") asked with builtins: the
# marker's boot id must be this boot's (read once above); the pid must exist and not be a
# zombie, here /proc/PID/exe (a zombie has none; the rule reads state Z from /proc/PID/stat, a
# read where this is one stat), and kill -0 where there is no /proc, as the rule; the marker
# has no start time (it is `pid boot`), so a reused pid is caught as the drainer catches it,
# by the command line (__bird_is_drainer). Not kill -0 where there is /proc: that also answers
# for a zombie (a drainer killed with -9 stays one until something reaps it, for ever under an
# init that never does).
__bird_alive() {
  (( __bird_proc )) || { kill -0 $1 2>/dev/null; return }
  [[ -e /proc/$1/exe ]]
}

# True when pid $1 runs `bird-capture --drain`: not a zombie, not another program that got the
# pid. /proc is read with a builtin; without /proc there is only kill -0 to go on.
__bird_is_drainer() {
  (( __bird_proc )) || return 0
  local cmdline=
  { cmdline=$(</proc/$1/cmdline) } 2>/dev/null
  # The root is its last argument: a pid reused by the drainer of another root is not ours.
  [[ $cmdline == *$'\0'--drain$'\0'"$__bird_root"$'\0' ]]
}

# The slow path, taken when no drainer is alive or the spool file is missing: one subshell
# (umask 077 inside it only) that spools the record if still needed and starts a drainer in a
# new session (setsid), so closing the terminal does not take it down. No job is left in this
# shell, hence no "[1] 12345" or "done" lines. Fails (and says so in errors.log, once per shell)
# when the record could not be spooled.
__bird_launch() {
  local rec=$1 file=$2
  (
    # `exit` in a subshell of an interactive zsh runs the zshexit hooks and saves the history:
    # the user's history file would get this shell's commands twice, restamped with now.
    unset HISTFILE
    zshexit_functions=()
    umask 077
    trap '' HUP   # inherited until setsid has moved the drainer out of this terminal session
    unset NODE_EXTRA_CA_CERTS
    local errlog=$__bird_root/$__bird_r_errors node=${BIRD_NODE:-node}
    if ! { [[ -d $__bird_spool ]] || mkdir -p -- $__bird_spool } || { [[ -n $rec ]] && ! print -rn -- $rec >>$file }; then
      [[ -n $__bird_warned ]] || __bird_log_error "cannot write to the spool folder $__bird_spool (it is not a writable folder, or the disk is full); zsh $$ keeps its commands in memory and writes them there once it can."
      exit 1
    fi
    if ! (( $+commands[$node] )) && [[ ! -x $node ]]; then
      __bird_log_error "cannot start bird-capture because \"$node\" was not found; install Node.js 20+ or set BIRD_NODE (commands stay spooled in $__bird_spool)."
      exit 0
    fi
    if [[ ! -r $__bird_bin ]]; then
      __bird_log_error "cannot start bird-capture because $__bird_bin does not exist; run npm install in the bird checkout or set BIRD_CAPTURE_BIN (commands stay spooled in $__bird_spool)."
      exit 0
    fi
    # A first record (no spool file yet) comes here even when a drainer is alive: do not start a second.
    local pid= boot=
    { read -r pid boot <$__bird_marker } 2>/dev/null
    [[ -n $pid && $pid != *[^0-9]* && $boot == "$__bird_boot" ]] && __bird_alive $pid && __bird_is_drainer $pid && exit 0
    export BIRD_ROOT=$__bird_root
    if (( $+commands[setsid] )); then
      setsid $node $__bird_bin --drain $__bird_root </dev/null >/dev/null 2>>$errlog &
    else
      $node $__bird_bin --drain $__bird_root </dev/null >/dev/null 2>>$errlog &
    fi
    # Only where no marker is yet (noclobber): once a drainer has made itself the leader, the
    # marker must keep naming it, never one that lost the race and goes after its first pass.
    setopt no_clobber
    print -r -- "$! $__bird_boot" >$__bird_marker
    exit 0
  ) </dev/null >/dev/null 2>&1
}

# One line of errors.log, in the format every writer of it uses (core's errors-log.ts). Only ever
# called in __bird_launch's subshell.
__bird_log_error() {
  local now
  TZ=UTC0 strftime -s now $__bird_errors_time $EPOCHSECONDS
  print -r -- "$now bird hook: $1" >>$__bird_root/$__bird_r_errors
}

# ── Passive output capture ([capture] output = true) ─────────────────────────────────────────
# The shell runs under script(1) (util-linux: a small C program, no Node), which passes every
# byte between the terminal and the shell unchanged and appends what the shell printed to a log
# in spool/output; the drainer cuts it into commands' outputs by the marks printed above
# (packages/capture/src/output-log/output-marks.ts). The shell that sourced this hook waits for
# script and exits with its status; the shell script starts sources this hook again and finds
# itself inside (BIRD_OUTPUT_LOG, BIRD_OUTPUT_TTY), as does a shell nested in it. Anything that
# stops script from starting a shell leaves this one going, plain, with a line in errors.log.
__bird_recorder() {
  local log=${BIRD_OUTPUT_LOG-}
  if [[ -n $log && -n ${BIRD_OUTPUT_TTY-} && -t 0 ]] && [[ /dev/stdin -ef $BIRD_OUTPUT_TTY ]]; then
    __bird_rec_log=$log   # a shell nested in a recorded one: same terminal, same log
    return 0
  fi
  if [[ -n $log && -s $log.starting && -t 0 ]]; then
    # The first shell of a recorder just started: tell the waiting shell so (the file emptied).
    export BIRD_OUTPUT_TTY=$TTY
    : >| $log.starting
    __bird_rec_log=$log
    return 0
  fi
  unset BIRD_OUTPUT_LOG BIRD_OUTPUT_TTY
  [[ ${BIRD_DISABLED-} != 1 && -t 0 && -t 1 ]] || return 0
  __bird_settings
  [[ $__bird_set_output == 1 ]] || return 0
  if (( ! $+commands[script] )); then
    __bird_rec_failed "script(1) was not found on PATH (util-linux)"
    return 0
  fi
  log=$__bird_root/$__bird_r_outlog/$$.$__bird_sid.log
  if ! ( umask 077; mkdir -p -- ${log:h} && print -n x >| $log.starting && : >>| $log ) 2>/dev/null; then
    __bird_rec_failed "its log $log could not be created"
    return 0
  fi
  local shell=${${:-/proc/$$/exe}:A}
  [[ -x $shell ]] || shell=${commands[zsh]:-zsh}
  # exec: the sh that script runs the command with does not stay resident under the shell.
  local run='exec '${(q)shell}' -i'
  [[ -o login ]] && run+=' -l'
  # This shell has read no history yet: were it to save its empty one at exit (also on the
  # hang-up of a closed terminal) it would write it over the one the shell inside keeps.
  local histfile=${HISTFILE-} had=${+HISTFILE}
  unset HISTFILE
  # ZDOTDIR: the shell reads the user's startup files through the recorder's, and then the hook,
  # which may have been sourced by hand rather than from .zshrc (hooks/recorder/zsh/.zshenv).
  BIRD_OUTPUT_LOG=$log BIRD_REC_HOOK=$__bird_install/$__bird_i_hooks/bird.zsh BIRD_REC_ZDOTDIR=${ZDOTDIR-} \
    ZDOTDIR=$__bird_install/$__bird_i_recorder/zsh script -q -f -a -e -O $log -c $run
  local st=$?
  if [[ -s $log.starting ]]; then
    command rm -f -- $log $log.starting
    (( had )) && typeset -g HISTFILE=$histfile
    __bird_rec_failed "script exited with status $st before the shell in it started"
    return 0
  fi
  command rm -f -- $log.starting
  # script ends its log with "Script done" when its shell ended (exit, a hang-up). Without it
  # script itself was killed (SIGKILL, the OOM killer), and the shell in it went with it: this
  # one goes on, plain, rather than close the terminal.
  if [[ $(command tail -c 512 -- $log 2>/dev/null) != *'Script done'* ]]; then
    (( had )) && typeset -g HISTFILE=$histfile
    __bird_rec_failed "the recorder (script) ended without its shell (status $st); this shell goes on"
    return 0
  fi
  exit $st
}

# One line in errors.log, and this shell goes on without output capture.
__bird_rec_failed() {
  ( umask 077; mkdir -p -- $__bird_root && __bird_log_error "output capture is off in zsh $$: $1; its commands are recorded without their output." ) 2>/dev/null
}

# True when the hook prints OSC 133 marks itself: the terminal's own shell integration (iTerm2,
# kitty, VS Code, WezTerm, Ghostty) prints them already, and two sets would double every mark.
__bird_term_marks() {
  [[ ${BIRD_OSC133-1} != 0 && -z ${ITERM_SHELL_INTEGRATION_INSTALLED-}${VSCODE_SHELL_INTEGRATION-}${GHOSTTY_SHELL_FEATURES-} ]] || return 1
  (( ! ${+functions[iterm2_precmd]} && ! ${+functions[__vsc_precmd]} && ! ${+functions[_ksi_precmd]} && ! ${+functions[__wezterm_semantic_precmd]} && ! ${+functions[_ghostty_precmd]} ))
}

# Redefine the functions under sticky `emulate -R zsh`: whatever the user's options (xtrace,
# ksh_arrays, no_unset, ...), they run with zsh defaults, and the user's options are untouched.
zmodload zsh/parameter 2>/dev/null && () {
  local f
  for f in __bird_paths __bird_preexec __bird_precmd __bird_outermost __bird_zshexit __bird_record __bird_spool_rec __bird_alive __bird_is_drainer __bird_launch __bird_log_error __bird_recorder __bird_rec_failed __bird_term_marks; do
    emulate -R zsh -c "$f() { ${functions[$f]} }"
  done
}

autoload -Uz add-zsh-hook
add-zsh-hook preexec __bird_preexec
add-zsh-hook precmd __bird_precmd
add-zsh-hook zshexit __bird_zshexit
__bird_outermost

# Which shell sourced the hook, by pid, for `bird doctor` (a child process sees it; a shell
# started inside this one that did not source the hook has another pid). Set once, here.
export BIRD_HOOKED=zsh:$$
# Its session, which `bird run` joins when this shell is the one above it.
export BIRD_SESSION=$__bird_sid

# ── Search: Ctrl-R runs `bird search`, starting from what is typed ─────────────────────────────
# Enter or Tab puts the chosen command on the line (not run); Esc leaves the line as it was.
# Settings: BIRD_NO_BIND=1, or `bind_keys = false` in config.toml's [search], leaves every key
# alone; BIRD_BIND_UP=1 (or `bind_up = true`) also binds Up to a prefix search. When bird is
# disabled, or its search cannot run (no store yet, no Node), Ctrl-R is zsh's own search.
typeset -g __bird_cli=${BIRD_CLI_BIN:-$__bird_install/$__bird_i_cli}

# The settings bird resolved from config.toml (core's hook-settings.ts), read once, here, into
# __bird_set_*: one line in $__bird_hs, which `bird hook zsh` prints before this file. Sourced,
# the hook reads it from db/hook-settings, where bird writes it, followed by the config.toml text
# it was resolved from, whenever it reads a config.toml it has not seen. When that text is not
# config.toml's now (edited since, and no bird has read it yet), or the line is missing or not
# one this hook knows, bird is asked, once (it writes its answer there for the next shell). No
# config.toml, or no answer: the defaults (install.zsh).
__bird_settings() {
  if (( ! ${+__bird_hs} )); then
    typeset -g __bird_hs=
    __bird_paths
    if [[ -f $__bird_root/$__bird_r_config ]]; then
      local cfg= text=
      { IFS= read -r -d '' cfg <$__bird_root/$__bird_r_config } 2>/dev/null
      { { IFS= read -r __bird_hs; IFS= read -r -d '' text } <$__bird_root/$__bird_r_settings } 2>/dev/null
      if [[ $text != "$cfg" || ! $__bird_hs =~ $__bird_hs_form ]] && [[ -r $__bird_cli ]]; then
        __bird_hs=$(unset NODE_EXTRA_CA_CERTS; ${BIRD_NODE:-node} $__bird_cli __hook-settings $__bird_root </dev/null 2>/dev/null)
      fi
    fi
  fi
  [[ $__bird_hs =~ $__bird_hs_form ]] || [[ $__bird_hs_default =~ $__bird_hs_form ]]
  typeset -g __bird_set_bind_keys=$match[1] __bird_set_bind_up=$match[2] __bird_set_output=$match[3]
}

# $1: extra arguments for bird search; $2: zsh's own widget, for when it cannot run.
__bird_search_run() {
  local fallback=$2
  if [[ ${BIRD_DISABLED-} == 1 || ! -r $__bird_cli ]]; then
    zle $fallback
    return
  fi
  local out rc
  out=$(unset NODE_EXTRA_CA_CERTS; ${BIRD_NODE:-node} $__bird_cli search --shell zsh --session $__bird_sid ${=1} -- $BUFFER </dev/tty 2>/dev/null)
  rc=$?
  local run=
  if (( rc == 0 )); then
    # action, then `run` when an Enter was typed right after the search, then the text.
    local action=${out%%$'\n'*} rest=${out#*$'\n'}
    local payload=${rest#*$'\n'}
    run=${rest%%$'\n'*}
    if [[ $action == cd ]]; then
      cd -- $payload
      run=
    else
      BUFFER=$payload
      CURSOR=${#BUFFER}
    fi
  elif (( rc != 1 )); then
    zle $fallback
    return
  fi
  zle reset-prompt
  [[ $run == run ]] && zle accept-line
}
__bird_search_widget() { __bird_search_run '' history-incremental-search-backward; }
__bird_search_up_widget() {
  # Up in a multi-line buffer moves between its lines, as before.
  if [[ $BUFFER == *$'\n'* ]]; then zle up-line-or-history; return; fi
  __bird_search_run '--mode prefix' up-line-or-history
}

emulate -R zsh -c "__bird_settings() { ${functions[__bird_settings]} }"
() {
  [[ ${BIRD_NO_BIND-} == 1 ]] && return
  __bird_settings
  [[ $__bird_set_bind_keys == 1 ]] || return
  local f
  for f in __bird_search_run __bird_search_widget __bird_search_up_widget; do
    emulate -R zsh -c "$f() { ${functions[$f]} }"
  done
  zle -N __bird_search_widget
  zle -N __bird_search_up_widget
  bindkey -M emacs '^R' __bird_search_widget
  bindkey -M viins '^R' __bird_search_widget
  bindkey -M vicmd '^R' __bird_search_widget
  if [[ ${BIRD_BIND_UP-} == 1 || $__bird_set_bind_up == 1 ]]; then
    local key
    for key in '^[[A' '^[OA'; do
      bindkey -M emacs $key __bird_search_up_widget
      bindkey -M viins $key __bird_search_up_widget
    done
  fi
}

# ── Tab completion for bird: hooks/completions/bird.zsh, in this install ───────────────────────
# (An eval'ed hook does not know it was not sourced: `bird hook zsh` prints the completion after it.)
[[ ${(%):-%x} == *bird.zsh && -r $__bird_install/$__bird_i_completion ]] && source $__bird_install/$__bird_i_completion

# Last: the shell that starts a recorder waits in it here, then exits with it.
__bird_recorder
