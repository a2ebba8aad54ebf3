# shellcheck shell=bash source-path=SCRIPTDIR
# BIRD capture hook for bash 4.4+: `source /path/to/hooks/bird.bash` at the END of ~/.bashrc
# (after bash-preexec, starship, etc., so it is first in PROMPT_COMMAND and sees the real $?).
#
# After each command this appends one record to a per-shell spool file with builtins only (no
# fork, no $(...)), then makes sure a drainer (`bird-capture --drain`) is alive to store it (a
# Parquet file, or a row of bird.duckdb in duckdb mode). Only when none is alive does it fork,
# once, to start one; the drainer lingers, so a burst of commands costs one Node start. See packages/capture/src/spool/record-format.ts for the
# record format and why it is safe against torn writes.
#
# How it knows a command ran, exactly once per command line: PS0 is expanded by bash only after
# it read a non-empty command line and before running it (not for an empty Enter, not for Ctrl-C
# at the prompt, not when PROMPT_COMMAND runs again), and its expansion stores the start time and
# cwd as a side effect (assignments inside an associative-array subscript, which print nothing).
# PROMPT_COMMAND then writes the record and clears the start time. No DEBUG trap is used.
#
# The text is `history 1`, read through a scratch file in the spool folder (a builtin writing to
# a file is no fork). So bash's history settings apply:
# - a multi-line command is stored as bash stores it in history: byte-exact with `shopt -s
#   lithist`, otherwise bash joins its lines with `;` (quoted newlines are kept either way);
# - a line bash kept out of history is recorded only when that can only be a repeat
#   (ignoredups/erasedups). ignorespace would make a repeat and a space-prefixed command look
#   alike, so the hook takes it over (see __bird_take_ignorespace): bash adds every line, and
#   the hook deletes a space-prefixed one from history as soon as it has read it. With
#   HISTIGNORE a line it matched is not recorded; with `set +o history` nothing is.
# - `shopt -u promptvars` turns PS0 expansions off, and with them capture.
#
# Time: bash 5 $EPOCHREALTIME at both ends: microseconds. bash 4.4 has no $EPOCHREALTIME: the
# start is PS0's `\D{%s}` and the end `printf '%(%s)T'`, both whole seconds, so durations there
# are multiples of 1000 ms.
# Settings: BIRD_ROOT, BIRD_DISABLED=1 (nothing is even spooled), BIRD_CLIENT_ID,
# BIRD_CAPTURE_BIN (bird-capture's bundle; default: this install's), BIRD_NODE (default: node).
# A command starting with a space is not recorded. What config.toml says for the hook, bird
# resolves (see __bird_settings); where bird's files are, install.bash beside this file says.

# Sourced by zsh: say which file that shell needs.
test -n "$BASH_VERSION" || echo "bird: hooks/bird.bash is the bash hook; in zsh source hooks/bird.zsh instead (fish: hooks/bird.fish)." >&2
test -n "$BASH_VERSION" || return 1
[[ $- == *i* ]] || return 0
[[ -n ${__bird_sid-} ]] && return 0   # sourced twice: keep the first hooks, add none

# Where bird's files are, in the install and in BIRD_ROOT (__bird_i_*, __bird_r_*): install.bash
# beside this file, written by scripts/build.mjs from the one list of them. `bird hook bash`
# prints the same lines before this file, and the install's folder.
if [[ -z ${__bird_install+set} ]]; then
  __bird_install=${BASH_SOURCE[0]}
  [[ $__bird_install == */* ]] && __bird_install=${__bird_install%/*} || __bird_install=.
  [[ $__bird_install == /* ]] || __bird_install=$PWD/$__bird_install
  # shellcheck source=install.bash
  if ! source "$__bird_install/install.bash"; then
    builtin printf 'bird: %s could not be read, so the hook is not loaded: restore it (git checkout hooks) or reinstall bird.\n' "$__bird_install/install.bash" >&2
    unset __bird_install
    return 1
  fi
  __bird_install=${__bird_install%/"$__bird_i_hooks"}
fi
__bird_bin=${BIRD_CAPTURE_BIN:-$__bird_install/$__bird_i_capture}
# In a clone, `npm install` links bird only into node_modules/.bin: when no bird is on PATH, the
# clone's bin/ (bird, bird-sync and bird-capture, nothing else) goes at the end of PATH.
if ! builtin type -P bird >/dev/null 2>&1 && [[ -x $__bird_install/$__bird_i_bin/bird ]]; then
  PATH+=${PATH:+:}$__bird_install/$__bird_i_bin
fi
__bird_boot=
{ builtin read -r __bird_boot </proc/sys/kernel/random/boot_id; } 2>/dev/null
__bird_proc=''
[[ -d /proc/self ]] && __bird_proc=1
# host, pid and start time make it unique across machines and across shells of one machine;
# $RANDOM covers two hosts with the same name. All of it is read without a fork.
__bird_sid=${HOSTNAME%%.*}
__bird_sid=${__bird_sid//[!A-Za-z0-9_-]/_}
if [[ -n ${EPOCHREALTIME-} ]]; then __bird_sid+=-$$-${EPOCHREALTIME//[.,]/}-$RANDOM; else
  builtin printf -v __bird_sid '%s-%s-%(%s)T-%s%s' "$__bird_sid" "$$" -1 "$RANDOM" "$RANDOM"
fi
__bird_s='' __bird_c='' __bird_root_for='' __bird_root='' __bird_spool='' __bird_marker='' __bird_hist='' __bird_spf=''
__bird_hn='' __bird_ht='' __bird_ln='' __bird_lt='' __bird_based='' __bird_bpcmd=''
# Records not yet written to the spool (it could not be written), and whether errors.log was told.
__bird_held='' __bird_warned='' __bird_verified='' __bird_hide_space=''
# How many bytes of the scratch file the last `history 1` may have filled (see __bird_hist1).
__bird_hw=0
declare -gA __bird_A=()
# shellcheck disable=SC2016  # expanded by bash when it shows PS0, not here
if [[ -n ${EPOCHREALTIME-} ]]; then
  __bird_ps0='${__bird_A[${__bird_s:=$EPOCHREALTIME}${__bird_c:=$PWD}]-}'
else
  __bird_ps0='${__bird_A[${__bird_s:=\D{%s}}${__bird_c:=$PWD}]-}'   # a \D{} costs a strftime even unused
fi
# One record of the spool (packages/capture/src/spool/record-format.ts): session, pid, start,
# end, status, client id, cwd, text; the fields escaped by the caller.
__bird_recf=$'\nb1\tbash\t%s\t%s\t%s\t%s\t\t%s\t%s\t%s\t%s\te\n'

# Speed: bash copies a function's whole body each time it is called (bash 5.2: ~1 us a line,
# several times that on a prompt after idle), run or not. So what runs at every prompt is kept
# in a few short functions, and every branch that is rarely taken is a function of its own.

__bird_paths() {
  __bird_root_for=${BIRD_ROOT-}
  __bird_root=${BIRD_ROOT:-${XDG_DATA_HOME:-$HOME/.local/share}/bird}
  [[ $__bird_root == /* ]] || __bird_root=$PWD/$__bird_root
  __bird_spool=$__bird_root/$__bird_r_spool
  __bird_marker=$__bird_root/$__bird_r_marker
  __bird_hist=$__bird_spool/$$.$__bird_sid.hist
  __bird_spf=$__bird_spool/$$.$__bird_sid.spool
  __bird_verified=''   # a drainer of the old root is no drainer of this one
}

# `history 1` → __bird_hn (its number) and __bird_ht (its text). Caller silences stderr.
# The text goes through a scratch file in the spool folder (0700), overwritten in place (1<>, no
# truncation: truncating a file that holds data makes ext4 flush it, ~0.3 ms a prompt) and ended
# with a NUL that `read -d ''` stops at. The spaces written after the NUL cover the previous
# text (4 bytes a character covers any UTF-8), so the file holds the last command only, as the
# spool file does until the drainer stores it; a space-prefixed one is covered at once.
# history prints "%5d%c %s%s\n": number, '*' or ' ', a space, the time in HISTTIMEFORMAT, the
# text. With the time shown as a lone \x1f (no % in it: the same for every entry), one `read`
# splitting on it cuts number from text. The usual prompt does the same inline in __bird_precmd
# (a call saved): a change here goes there too.
__bird_hist1() {
  local IFS=$'\x1f' HISTTIMEFORMAT=$'\x1f'
  __bird_hn='' __bird_ht=''
  # No scratch file yet (a new shell, a new root): made 0600 first. If the spool folder cannot
  # be written (replaced by a file, a full disk): a fork instead.
  if { [[ -f $__bird_hist ]] || __bird_launch '' ''; } && { builtin history 1; builtin printf '\0%*s' "$__bird_hw" ''; } 1<>"$__bird_hist"; then
    builtin read -r -d '' __bird_hn __bird_ht <"$__bird_hist"
  else
    builtin read -r -d '' __bird_hn __bird_ht < <(builtin history 1)
  fi
  __bird_hn=${__bird_hn//[!0-9]/} __bird_ht=${__bird_ht%$'\n'} __bird_hw=$(( (${#__bird_hn} + ${#__bird_ht}) * 4 + 16 ))
  [[ -n $__bird_hn ]]
}

# HISTCONTROL's ignorespace (ignoreboth = ignorespace + ignoredups, the stock Debian/Ubuntu
# ~/.bashrc) keeps a space-prefixed line out of history; then a line missing from history could
# be that or a repeat, and every `echo x` typed twice in a row would be recorded once. So the
# hook takes ignorespace over: it is removed from HISTCONTROL (ignoreboth becomes ignoredups),
# and __bird_unlist deletes a space-prefixed line from history right after it was read, so such
# a line stays out of bash's history (and its file) as the user asked, and out of BIRD.
__bird_take_ignorespace() {
  local part kept=()
  local IFS=:
  for part in $HISTCONTROL; do
    case $part in
      ignorespace) ;;
      ignoreboth) kept+=(ignoredups) ;;
      *) kept+=("$part") ;;
    esac
  done
  HISTCONTROL="${kept[*]}"
  __bird_hide_space=1
}

# The usual prompt runs in this one function, a statement or two per step (after idle, each
# statement and each call costs bash tens of us): a command line ran, the set-up is as the hook
# left it, the scratch file is there, history gained an entry that needs no escaping, the spool
# file is empty and the drainer verified earlier still leads. Anything else goes the careful way,
# __bird_precmd_careful before history is read, __bird_finish after.
__bird_precmd() {
  local st=$? end=${EPOCHREALTIME-} hn='' ht=''   # first: the status of the command that just ran
  [[ -z $__bird_rec_log ]] || __bird_rec_end "$st"
  if [[ $- != *[eux]* && -n $__bird_s && -n $end && -n $__bird_verified && -z $__bird_bp$__bird_held && ${BIRD_DISABLED-} != 1 &&
    $PS0 == *"$__bird_ps0"* && $HISTCONTROL != *ignore[sb]* && ${BIRD_ROOT-} == "$__bird_root_for" && -n $__bird_root &&
    -z ${bash_preexec_imported-}${__bp_imported-} && ${PROMPT_COMMAND[0]} == "$__bird_pc"* && -f $__bird_hist ]] &&
    { HISTTIMEFORMAT=$'\x1f' builtin history 1; builtin printf '\0%*s' "$__bird_hw" ''; } 1<>"$__bird_hist" &&
    IFS=$'\x1f' builtin read -r -d '' hn ht <"$__bird_hist"; then
    # As __bird_hist1 reads it, and a new entry recorded as __bird_finish and __bird_spool_rec do.
    hn=${hn//[!0-9]/} ht=${ht%$'\n'} __bird_hw=$(( (${#hn} + ${#ht}) * 4 + 16 ))
    # shellcheck disable=SC2059  # the format is the record's, the fields are arguments
    if [[ -n $hn && ($hn != "$__bird_ln" || $ht != "$__bird_lt") && $ht != ' '* && $ht$__bird_c${BIRD_CLIENT_ID-} != *[$'\\\n\t']* &&
      -f $__bird_spf && ! -s $__bird_spf ]] &&
      builtin printf "$__bird_recf" "$__bird_sid" "$$" "$__bird_s" "$end" "$st" "${BIRD_CLIENT_ID-}" "$__bird_c" "$ht" >>"$__bird_spf"; then
      __bird_s='' __bird_c='' __bird_based=1 __bird_ln=$hn __bird_lt=$ht
      [[ -f $__bird_marker && -e /proc/$__bird_verified/exe ]] || __bird_spool_check '' "$__bird_spf"
    else
      __bird_hn=$hn __bird_ht=$ht
      __bird_finish "$st" "$end"
    fi
  else
    __bird_precmd_careful "$st"
  fi
  return $st
}

# status → the prompt when something is not as usual: options to set aside, the set-up changed
# under the hook, no command line ran, a first prompt.
__bird_precmd_careful() {
  local st=$1
  [[ -n $__bird_bp ]] && return 0   # riding bash-preexec's hooks now (see __bird_settle)
  [[ $- == *[eux]* ]] && { local -; set +eux; }   # options set here are restored on return
  __bird_settle
  # BIRD_DISABLED=1: not even history is read (nor written to the scratch file).
  if [[ -n $__bird_s && ${BIRD_DISABLED-} != 1 ]]; then __bird_finish "$st"; else __bird_idle; fi
}

# What the user's set-up changed since the hook loaded (later lines of ~/.bashrc), put right;
# each check here is one of those __bird_precmd makes before it takes the usual way.
__bird_settle() {
  [[ $PS0 == *"$__bird_ps0"* ]] || PS0+=$__bird_ps0   # the user replaced PS0
  # Set (again): ~/.bashrc's HISTCONTROL=ignoreboth may come after the hook.
  [[ $HISTCONTROL == *ignore[sb]* ]] && __bird_take_ignorespace   # ignorespace or ignoreboth
  [[ ${BIRD_ROOT-} == "$__bird_root_for" && -n $__bird_root ]] || __bird_paths
  # bash-preexec sourced after the hook: its hooks run before this PROMPT_COMMAND entry, so from
  # the next command on ride them instead, or every duration would include them. The command
  # that just ran is still finished the PS0 way, by the caller.
  if [[ -n ${bash_preexec_imported-}${__bp_imported-} ]]; then
    PS0=${PS0//"$__bird_ps0"/}
    __bird_ride_bash_preexec
  elif [[ ${PROMPT_COMMAND[0]} != "$__bird_pc"* ]]; then
    # Something else put in front (`PROMPT_COMMAND="history -a; $PROMPT_COMMAND"`, a tool's
    # init): from the next prompt on the hook runs first again, or it would record that thing's
    # status instead of the command's (as it does once, for the line that made the change).
    __bird_first_in_prompt_command
  fi
}

# No command line was run (empty Enter, Ctrl-C at the prompt, PROMPT_COMMAND run again), or
# BIRD_DISABLED=1. The first time, note where history stands so the first command can be told
# apart.
__bird_idle() {
  __bird_s='' __bird_c=''
  if [[ -z $__bird_based && ${BIRD_DISABLED-} != 1 ]] && __bird_hist1; then __bird_based=1 __bird_ln=$__bird_hn __bird_lt=$__bird_ht; fi
  [[ -z $__bird_held ]] || __bird_spool_rec ''   # records held back are retried anyway
}

# status [end] → the record of the command line PS0 saw start, its text read from history (with
# an end given, the caller has read it into __bird_hn and __bird_ht).
__bird_finish() {
  local start=$__bird_s cwd=$__bird_c end=${2:-${EPOCHREALTIME-}} cmd=
  __bird_s='' __bird_c=''
  [[ -n $end ]] || builtin printf -v end '%(%s)T' -1
  if [[ -n $2 ]]; then [[ -n $__bird_hn ]] || return 0; else __bird_hist1 || return 0; fi
  if [[ $__bird_hn != "$__bird_ln" || $__bird_ht != "$__bird_lt" ]]; then
    cmd=$__bird_ht
    [[ $cmd == ' '* ]] && __bird_unlist 1
  elif [[ -o history && $HISTCONTROL != *ignore[sb]* && -z ${HISTIGNORE-} ]]; then
    cmd=$__bird_ht   # not added to history: only ignoredups/erasedups do that here, so a repeat
    [[ $cmd == ' '* ]] && __bird_unlist ''
  fi
  __bird_based=1 __bird_ln=$__bird_hn __bird_lt=$__bird_ht
  __bird_emit "$1" "$start" "$end" "$cwd" "$cmd"
}

# A space-prefixed line, not recorded (__bird_emit drops it), and its text not left in the
# scratch file either. $1 is set when it was just added to history: with ignorespace as the user
# set it, it goes out of history again, and reading the entry now last covers its text.
__bird_unlist() {
  if [[ -n $1 && -n $__bird_hide_space ]]; then
    builtin history -d "$__bird_hn"
    __bird_hist1 || __bird_hn='' __bird_ht=''
  else
    builtin printf '%*s' "$__bird_hw" '' 1<>"$__bird_hist"
  fi
}

# The shell is exiting while a command line it started has not reached PROMPT_COMMAND: `exit`
# typed in it, or the terminal closed under it (then /dev/tty is gone: the hang-up killed the
# command, as SIGHUP's 128+1). bash runs the EXIT trap on a hang-up too.
__bird_on_exit() {
  local st=$?
  local -
  set +eux
  # A closing terminal often sends SIGHUP twice (the kernel's hang-up, then the terminal's own);
  # the second must not cut this short. The shell is exiting anyway.
  builtin trap '' HUP
  {
    [[ ${BIRD_ROOT-} == "$__bird_root_for" && -n $__bird_root ]] || __bird_paths
    if [[ -n $__bird_s ]]; then
      local why=$st
      { : </dev/tty; } || why=129
      if [[ -n $__bird_bp ]]; then __bird_bp_finish "$why"; else __bird_finish "$why"; fi
    elif [[ -n $__bird_held ]]; then
      __bird_spool_rec ''
    fi
    # The last command's text leaves the scratch file with the shell.
    [[ -f $__bird_hist ]] && builtin printf '%*s' "$__bird_hw" '' 1<>"$__bird_hist"
  } 2>/dev/null
  return $st
}

# With bash-preexec loaded first, ride on its hooks instead of PS0/PROMPT_COMMAND: it already
# runs preexec once per command line and hands precmd functions the command's $?.
__bird_bp_preexec() {
  __bird_s=${EPOCHREALTIME-}
  [[ -n $__bird_s ]] || builtin printf -v __bird_s '%(%s)T' -1
  __bird_c=$PWD __bird_bpcmd=$1
  [[ -z $__bird_rec_log || ${BIRD_DISABLED-} == 1 ]] || builtin printf '%b\e]6973;C;%s:%s\a' "${__bird_rec_133:+\\e]133;C\\a}" "$__bird_sid" "$__bird_s"
}

__bird_bp_precmd() {
  local st=$?
  [[ -z $__bird_rec_log ]] || __bird_rec_end "$st"
  local -
  set +eux
  if [[ -n $__bird_s ]]; then
    [[ ${BIRD_ROOT-} == "$__bird_root_for" && -n $__bird_root ]] || __bird_paths
    __bird_bp_finish "$st" 2>/dev/null
  else
    [[ -z $__bird_held ]] || __bird_spool_rec '' 2>/dev/null
  fi
  # Hooks added since (a later line of ~/.bashrc, a tool's init) go last in precmd_functions
  # and first in preexec_functions by their own code: put back outside them for the next command.
  local IFS=' '
  [[ "${precmd_functions[*]-} " == "__bird_bp_precmd "* && " ${preexec_functions[*]-}" == *" __bird_bp_preexec" ]] || __bird_bp_outermost
  return $st
}

__bird_bp_finish() {
  local start=$__bird_s end=${EPOCHREALTIME-}
  __bird_s=
  [[ -n $end ]] || builtin printf -v end '%(%s)T' -1
  __bird_emit "$1" "$start" "$end" "$__bird_c" "$__bird_bpcmd"
}

# status start end cwd cmd → one record spooled (or held until it can be).
# Callers send stderr to /dev/null once (each redirection here would cost ~15 us a prompt).
__bird_emit() {
  [[ ${BIRD_DISABLED-} == 1 || -z $5 || $5 == ' '* ]] && return 0
  local c=$5 d=$4 id=${BIRD_CLIENT_ID-} tab=$'\t' rec
  [[ $c$d$id == *[$'\\\n\t']* ]] && __bird_escape   # most texts hold nothing to escape
  # shellcheck disable=SC2059  # the format is the record's, the fields are arguments
  builtin printf -v rec "$__bird_recf" "$__bird_sid" "$$" "$2" "$3" "$1" "$id" "$d" "$c"
  __bird_spool_rec "$rec"
}

# The caller's $c, $d and $id with backslash, newline and tab escaped (the record format's rule).
__bird_escape() {
  # shellcheck disable=SC1003  # a lone backslash, on purpose
  local bs='\' nl=$'\n'
  c=${c//"$bs"/"$bs$bs"} c=${c//"$nl"/"$bs"n} c=${c//"$tab"/"$bs"t}
  d=${d//"$bs"/"$bs$bs"} d=${d//"$nl"/"$bs"n} d=${d//"$tab"/"$bs"t}
  id=${id//"$bs"/"$bs$bs"} id=${id//"$nl"/"$bs"n} id=${id//"$tab"/"$bs"t}
}

# Appends a record (after any held back) to this shell's spool file and makes sure a drainer is
# alive to store it. The common case, an empty file and the drainer verified at an earlier
# prompt still leading and alive, costs four stats and the append; anything else goes the
# careful way (__bird_spool_check). A drainer that is leaving removes the marker before its
# last look at the spool: a record appended before the removal is in that look, and one
# appended after finds no marker here. The usual prompt does the common case inline in
# __bird_precmd: a change here goes there too.
__bird_spool_rec() {
  local file=$__bird_spf
  if [[ -n $__bird_verified && -f $file && ! -s $file ]] && builtin printf '%s' "$__bird_held$1" >>"$file"; then
    __bird_held=''
    [[ -f $__bird_marker && -e /proc/$__bird_verified/exe ]] && return 0
    __bird_spool_check '' "$file"
  else
    __bird_spool_check "$__bird_held$1" "$file"
  fi
}

# rec file → rec appended to file (when not empty), and a drainer this shell can count on.
# What cannot be written (the spool folder replaced by a file, unwritable, a full disk) stays in
# $__bird_held, in this shell's memory, and goes out with the next record that can be.
__bird_spool_check() {
  local rec=$1 file=$2 unseen=''
  # The marker's pid is checked for really being a drainer (after a kill -9 it can name a zombie
  # or a pid reused by another program) the first time this shell sees it, and again whenever
  # data left in the file since an earlier prompt says no drainer has been by. Liveness is bird's
  # one rule (packages/core/src/process-liveness.ts, PROTOCOL.md "Lock files") asked with
  # builtins: the marker's boot id is this boot's; the pid exists and is not a zombie, here
  # /proc/PID/exe (a zombie has none; the rule reads state Z from /proc/PID/stat), and kill -0
  # where there is no /proc, as the rule; the marker has no start time (`pid boot`), so a reused
  # pid is caught as the drainer catches it, by the command line (__bird_is_drainer). Not kill -0
  # where there is /proc: that also answers for a zombie (a drainer killed with -9 stays one
  # until something reaps it, for ever under an init that never does).
  [[ -s $file ]] && unseen=1
  # Append only to a file that exists: the drainer creates it 0600, so records never land in a
  # file made with the user's umask. The first record of a shell goes the slow way below.
  if [[ -n $unseen || -f $file ]] && builtin printf '%s' "$rec" >>"$file"; then
    __bird_held=''
    local pid='' boot=''
    builtin read -r pid boot <"$__bird_marker"
    if [[ -n $pid && $pid != *[!0-9]* && $boot == "$__bird_boot" ]] && { [[ -e /proc/$pid/exe ]] || { [[ -z $__bird_proc ]] && builtin kill -0 "$pid"; }; }; then
      [[ -z $unseen && $pid == "$__bird_verified" ]] && return 0
      __bird_is_drainer "$pid" && { __bird_verified=$pid; return 0; }
    fi
    rec=''
  fi
  if __bird_launch "$rec" "$file"; then
    __bird_held=''
  else
    __bird_held=$rec __bird_warned=1
  fi
}

# True when pid $1 runs `bird-capture --drain`: not a zombie, not another program that got the
# pid. /proc is read with a builtin (bash drops the NULs); without /proc there is only kill -0.
__bird_is_drainer() {
  [[ -n $__bird_proc ]] || return 0
  local cmdline=''
  IFS= builtin read -r -d '' -N 4096 cmdline <"/proc/$1/cmdline"
  # The root is its last argument: a pid reused by the drainer of another root is not ours.
  [[ $cmdline == *"--drain$__bird_root" ]]
}

# The slow path, taken when no drainer is alive or a spool file is missing: one subshell (umask
# 077 inside it only) that creates the spool files, appends the record if still needed and, given
# a file, starts a drainer in a new session (setsid), so closing the terminal does not take it
# down. No job is left in this shell, hence no "[1] 12345" or "Done" lines. Fails (and says so in
# errors.log, once per shell) when the record could not be spooled.
__bird_launch() {
  (
    umask 077
    trap '' HUP   # inherited until setsid has moved the drainer out of this terminal session
    unset NODE_EXTRA_CA_CERTS
    errlog=$__bird_root/$__bird_r_errors node=${BIRD_NODE:-node}
    if ! { [[ -d $__bird_spool ]] || mkdir -p -- "$__bird_spool"; } || { [[ -n $1 ]] && ! builtin printf '%s' "$1" >>"$2"; }; then
      [[ -n $__bird_warned || -z $2 ]] || __bird_log_error "cannot write to the spool folder $__bird_spool (it is not a writable folder, or the disk is full); bash $$ keeps its commands in memory and writes them there once it can."
      exit 1
    fi
    [[ -e $__bird_hist ]] || : >>"$__bird_hist"
    [[ -n $2 ]] || exit 0
    if [[ $node == */* && ! -x $node ]] || { [[ $node != */* ]] && ! hash "$node" 2>/dev/null; }; then
      __bird_log_error "cannot start bird-capture because \"$node\" was not found; install Node.js 20+ or set BIRD_NODE (commands stay spooled in $__bird_spool)."
      exit 0
    fi
    if [[ ! -r $__bird_bin ]]; then
      __bird_log_error "cannot start bird-capture because $__bird_bin does not exist; run npm install in the bird checkout or set BIRD_CAPTURE_BIN (commands stay spooled in $__bird_spool)."
      exit 0
    fi
    # A first record (no spool file yet) comes here even when a drainer is alive: do not start a second.
    { builtin read -r pid boot <"$__bird_marker"; } 2>/dev/null
    [[ -n $pid && $pid != *[!0-9]* && $boot == "$__bird_boot" ]] && { [[ -e /proc/$pid/exe ]] || { [[ -z $__bird_proc ]] && builtin kill -0 "$pid" 2>/dev/null; }; } && __bird_is_drainer "$pid" 2>/dev/null && exit 0
    export BIRD_ROOT=$__bird_root
    if hash setsid 2>/dev/null; then
      setsid "$node" "$__bird_bin" --drain "$__bird_root" </dev/null >/dev/null 2>>"$errlog" &
    else
      "$node" "$__bird_bin" --drain "$__bird_root" </dev/null >/dev/null 2>>"$errlog" &
    fi
    # Only where no marker is yet (noclobber): once a drainer has made itself the leader, the
    # marker must keep naming it, never one that lost the race and goes after its first pass.
    set -o noclobber
    builtin printf '%s %s\n' "$!" "$__bird_boot" >"$__bird_marker"
    exit 0
  ) </dev/null >/dev/null 2>&1
}

# One line of errors.log, in the format every writer of it uses (core's errors-log.ts). Only ever
# called in __bird_launch's subshell.
__bird_log_error() {
  TZ=UTC0 builtin printf "%($__bird_errors_time)T bird hook: %s\n" -1 "$1" >>"$__bird_root/$__bird_r_errors"
}

# The hook's PROMPT_COMMAND entry first (moved there if it is elsewhere; an array stays one).
__bird_first_in_prompt_command() {
  if [[ ${PROMPT_COMMAND@a} == *a* ]]; then
    local e kept=()
    for e in "${PROMPT_COMMAND[@]}"; do [[ $e == "$__bird_pc" ]] || kept+=("$e"); done
    PROMPT_COMMAND=("$__bird_pc" "${kept[@]}")
  else
    # shellcheck disable=SC2178,SC2128  # a string here: the array case is handled above
    PROMPT_COMMAND=$__bird_pc${PROMPT_COMMAND:+$'\n'${PROMPT_COMMAND//"$__bird_pc"/:}}
  fi
}

# Onto bash-preexec's hooks: precmd first, so it sees the command's $? and its end at once.
__bird_ride_bash_preexec() {
  __bird_bp=1
  __bird_bp_outermost
}

# The hooks of bash-preexec's that time a command moved outermost: preexec last, precmd first,
# so the duration holds the command alone, not the other hooks around it.
__bird_bp_outermost() {
  local f kept=()
  for f in "${preexec_functions[@]}"; do [[ $f == __bird_bp_preexec ]] || kept+=("$f"); done
  preexec_functions=("${kept[@]}" __bird_bp_preexec)
  kept=()
  for f in "${precmd_functions[@]}"; do [[ $f == __bird_bp_precmd ]] || kept+=("$f"); done
  precmd_functions=(__bird_bp_precmd "${kept[@]}")
}

__bird_bp=''
if [[ -n ${bash_preexec_imported-}${__bp_imported-} ]]; then
  __bird_ride_bash_preexec
else
  PS0=${PS0-}$__bird_ps0
  # First, so it sees the command's $?; it returns that same status to whatever runs next. The
  # braces send `set -x` tracing of the call to /dev/null instead of the terminal.
  __bird_pc='{ __bird_precmd; } 2>/dev/null'
  __bird_first_in_prompt_command
fi

# A command cut off by the shell's exit (a closed terminal) is recorded from the EXIT trap. An
# EXIT trap set before this file was sourced runs after ours, with the same $?; one set after
# it replaces ours (bash keeps one per signal), and then such a command goes unrecorded.
__bird_prev_exit=$(builtin trap -p EXIT)
if [[ -n $__bird_prev_exit ]]; then
  eval "__bird_prev_exit=($__bird_prev_exit)"   # trap -- 'COMMAND' EXIT
  __bird_prev_exit=${__bird_prev_exit[2]-}
fi
# shellcheck disable=SC2064  # expanded now, on purpose: the earlier trap's text is kept
builtin trap "__bird_on_exit${__bird_prev_exit:+; $__bird_prev_exit}" EXIT

# Which shell sourced the hook, by pid, for `bird doctor` (a child process sees it; a shell
# started inside this one that did not source the hook has another pid). Set once, here.
export BIRD_HOOKED=bash:$$
# Its session, which `bird run` joins when this shell is the one above it.
export BIRD_SESSION=$__bird_sid

# ── Passive output capture ([capture] output = true) ─────────────────────────────────────────
# The shell runs under script(1) (util-linux: a small C program, no Node), which passes every
# byte between the terminal and the shell unchanged and appends what the shell printed to a log
# in spool/output; the drainer cuts it into commands' outputs by the marks the hook prints
# (packages/capture/src/output-log/output-marks.ts): the start from PS0 (or bash-preexec's
# preexec), keyed with the very start time the record carries, the end first thing at the
# prompt. The shell that sourced this hook waits for script and exits with its status; the shell
# script starts sources this hook again and finds itself inside (BIRD_OUTPUT_LOG,
# BIRD_OUTPUT_TTY), as does a shell nested in it. Anything that stops script from starting a
# shell leaves this one going, plain, with a line in errors.log.
__bird_rec_log='' __bird_rec_133=''

# status → the end mark of the command that just ran, and OSC 133's; the prompt's start.
__bird_rec_end() {
  if [[ -n $__bird_s ]]; then
    builtin printf '\e]6973;D;%s:%s\a' "$__bird_sid" "$__bird_s"
    [[ -z $__bird_rec_133 ]] || builtin printf '\e]133;D;%s\a' "$1"
  fi
  [[ -z $__bird_rec_133 ]] || builtin printf '\e]133;A\a'
}

# Inside a recorder: what marks this shell prints from now on.
__bird_rec_inside() {
  __bird_rec_log=$1
  __bird_term_marks && __bird_rec_133=1
  # shellcheck disable=SC2016  # expanded by bash when it shows PS0, after the start is taken
  [[ -n $__bird_bp ]] || PS0+=${__bird_rec_133:+'\e]133;C\a'}'\e]6973;C;${__bird_sid}:${__bird_s}\a'
}

__bird_recorder() {
  local log=${BIRD_OUTPUT_LOG-}
  if [[ -n $log && -n ${BIRD_OUTPUT_TTY-} && -t 0 && /dev/stdin -ef $BIRD_OUTPUT_TTY ]]; then
    __bird_rec_inside "$log"   # a shell nested in a recorded one: same terminal, same log
    return 0
  fi
  if [[ -n $log && -s $log.starting && -t 0 ]]; then
    # The first shell of a recorder just started: tell the waiting shell so (the file emptied).
    BIRD_OUTPUT_TTY=$(tty) && export BIRD_OUTPUT_TTY
    : >|"$log.starting"
    __bird_rec_inside "$log"
    return 0
  fi
  unset BIRD_OUTPUT_LOG BIRD_OUTPUT_TTY
  [[ ${BIRD_DISABLED-} != 1 && -t 0 && -t 1 ]] || return 0
  __bird_settings
  [[ $__bird_set_output == 1 ]] || return 0
  if ! type -P script >/dev/null; then
    __bird_rec_failed "script(1) was not found on PATH (util-linux)"
    return 0
  fi
  log=$__bird_root/$__bird_r_outlog/$$.$__bird_sid.log
  if ! ( umask 077; mkdir -p -- "${log%/*}" && builtin printf x >|"$log.starting" && : >>"$log" ) 2>/dev/null; then
    __bird_rec_failed "its log $log could not be created"
    return 0
  fi
  local run
  # exec: the sh that script runs the command with does not stay resident under the shell.
  # --rcfile: ~/.bashrc, then the hook, which may have been sourced by hand rather than from
  # ~/.bashrc (hooks/recorder/bashrc). A login bash reads no rc file it is given: its profile
  # must source the hook for the shell under the recorder to have it.
  if shopt -q login_shell; then
    builtin printf -v run 'exec %q -i -l' "$BASH"
  else
    builtin printf -v run 'exec %q --rcfile %q -i' "$BASH" "$__bird_install/$__bird_i_recorder/bashrc"
  fi
  # This shell ran nothing: were it to save its history at exit (also on the hang-up of a
  # closed terminal) it would write it over the one the shell inside keeps.
  local histfile=${HISTFILE-} had=${HISTFILE+1}
  unset HISTFILE
  BIRD_OUTPUT_LOG=$log BIRD_REC_HOOK=$__bird_install/$__bird_i_hooks/bird.bash script -q -f -a -e -O "$log" -c "$run"
  local st=$?
  if [[ -s $log.starting ]]; then
    command rm -f -- "$log" "$log.starting"
    [[ -z $had ]] || HISTFILE=$histfile
    __bird_rec_failed "script exited with status $st before the shell in it started"
    return 0
  fi
  command rm -f -- "$log.starting"
  # script ends its log with "Script done" when its shell ended (exit, a hang-up). Without it
  # script itself was killed (SIGKILL, the OOM killer), and the shell in it went with it: this
  # one goes on, plain, rather than close the terminal.
  if [[ $(command tail -c 512 -- "$log" 2>/dev/null) != *'Script done'* ]]; then
    [[ -z $had ]] || HISTFILE=$histfile
    __bird_rec_failed "the recorder (script) ended without its shell (status $st); this shell goes on"
    return 0
  fi
  builtin trap - EXIT
  builtin exit "$st"
}

# One line in errors.log, and this shell goes on without output capture.
__bird_rec_failed() {
  ( umask 077; mkdir -p -- "$__bird_root" && __bird_log_error "output capture is off in bash $$: $1; its commands are recorded without their output." ) 2>/dev/null
}

# True when the hook prints OSC 133 marks itself: the terminal's own shell integration (iTerm2,
# kitty, VS Code, WezTerm, Ghostty) prints them already, and two sets would double every mark.
__bird_term_marks() {
  [[ ${BIRD_OSC133-1} != 0 && -z ${ITERM_SHELL_INTEGRATION_INSTALLED-}${VSCODE_SHELL_INTEGRATION-}${GHOSTTY_SHELL_FEATURES-} ]] || return 1
  local f
  for f in iterm2_preexec_install __vsc_precmd _ksi_prompt_command __wezterm_semantic_precmd _ghostty_precmd; do
    declare -F "$f" >/dev/null && return 1
  done
  return 0
}

# ── Search: Ctrl-R runs `bird search`, starting from what is typed ─────────────────────────────
# Enter or Tab puts the chosen command on the line (not run); Esc leaves the line as it was.
# Settings: BIRD_NO_BIND=1, or `bind_keys = false` in config.toml's [search], leaves every key
# alone; BIRD_BIND_UP=1 (or `bind_up = true`) also binds Up to a prefix search. When bird is
# disabled, or its search cannot run (no store yet, no Node), Ctrl-R is bash's own search.
#
# A `bind -x` function cannot hand over to a readline command, so each key is a macro of two
# keys: the first runs the search, which binds the second to readline's own command when it
# could not run, and to a redraw otherwise.
__bird_cli=${BIRD_CLI_BIN:-$__bird_install/$__bird_i_cli}

# The settings bird resolved from config.toml (core's hook-settings.ts), read once, here, into
# __bird_set_*: one line in $__bird_hs, which `bird hook bash` prints before this file. Sourced,
# the hook reads it from db/hook-settings, where bird writes it, followed by the config.toml text
# it was resolved from, whenever it reads a config.toml it has not seen. When that text is not
# config.toml's now (edited since, and no bird has read it yet), or the line is missing or not
# one this hook knows, bird is asked, once (it writes its answer there for the next shell). No
# config.toml, or no answer: the defaults (install.bash).
__bird_settings() {
  if [[ -z ${__bird_hs+set} ]]; then
    __bird_hs=''
    __bird_paths
    if [[ -f $__bird_root/$__bird_r_config ]]; then
      # `read -d ''` ends at the end of the file with status 1: `|| :` for a user's `set -e`.
      local cfg='' text=''
      { IFS= builtin read -r -d '' cfg <"$__bird_root/$__bird_r_config"; } 2>/dev/null || :
      { { IFS= builtin read -r __bird_hs; IFS= builtin read -r -d '' text; } <"$__bird_root/$__bird_r_settings"; } 2>/dev/null || :
      if [[ $text != "$cfg" || ! $__bird_hs =~ $__bird_hs_form ]] && [[ -r $__bird_cli ]]; then
        __bird_hs=$(unset NODE_EXTRA_CA_CERTS; "${BIRD_NODE:-node}" "$__bird_cli" __hook-settings "$__bird_root" </dev/null 2>/dev/null) || __bird_hs=''
      fi
    fi
  fi
  [[ $__bird_hs =~ $__bird_hs_form ]] || [[ $__bird_hs_default =~ $__bird_hs_form ]]
  __bird_set_bind_keys=${BASH_REMATCH[1]} __bird_set_bind_up=${BASH_REMATCH[2]} __bird_set_output=${BASH_REMATCH[3]}
}

# $1: extra arguments for bird search; $2: the macro's second key; $3: bash's own command.
__bird_search_run() {
  builtin bind "\"$2\": redraw-current-line"
  if [[ ${BIRD_DISABLED-} == 1 || ! -r $__bird_cli ]]; then
    builtin bind "\"$2\": $3"
    return
  fi
  local out rc
  # shellcheck disable=SC2086  # $1 holds words on purpose
  out=$(unset NODE_EXTRA_CA_CERTS; "${BIRD_NODE:-node}" "$__bird_cli" search --shell bash --session "$__bird_sid" $1 -- "$READLINE_LINE" </dev/tty 2>/dev/null)
  rc=$?
  if (( rc == 0 )); then
    # action, then `run` when an Enter was typed right after the search, then the text.
    local action=${out%%$'\n'*} rest=${out#*$'\n'}
    local run=${rest%%$'\n'*} payload=${rest#*$'\n'}
    if [[ $action == cd ]]; then
      builtin cd -- "$payload" || return
    else
      READLINE_LINE=$payload
      READLINE_POINT=${#READLINE_LINE}
      [[ $run == run ]] && builtin bind "\"$2\": accept-line"
    fi
  elif (( rc != 1 )); then
    builtin bind "\"$2\": $3"
  fi
}
__bird_search_key() { __bird_search_run '' '\C-x\C-_r' reverse-search-history; }
__bird_search_up_key() {
  if [[ $READLINE_LINE == *$'\n'* ]]; then builtin bind '"\C-x\C-_u": previous-history'; return; fi
  __bird_search_run '--mode prefix' '\C-x\C-_u' previous-history
}

__bird_bind_keys() {
  [[ ${BIRD_NO_BIND-} == 1 || ${BASH_VERSINFO[0]} -lt 4 ]] && return
  __bird_settings
  [[ $__bird_set_bind_keys == 1 ]] || return
  local keymap
  for keymap in emacs vi-insert; do
    builtin bind -m $keymap -x '"\C-x\C-_R": __bird_search_key'
    builtin bind -m $keymap '"\C-r": "\C-x\C-_R\C-x\C-_r"'
    if [[ ${BIRD_BIND_UP-} == 1 || $__bird_set_bind_up == 1 ]]; then
      builtin bind -m $keymap -x '"\C-x\C-_U": __bird_search_up_key'
      builtin bind -m $keymap '"\e[A": "\C-x\C-_U\C-x\C-_u"'
      builtin bind -m $keymap '"\eOA": "\C-x\C-_U\C-x\C-_u"'
    fi
  done
}
__bird_bind_keys

# ── Tab completion for bird: hooks/completions/bird.bash, in this install ──────────────────────
# (An eval'ed hook does not know it was not sourced: `bird hook bash` prints the completion after it.)
if [[ ${BASH_SOURCE[0]} == *bird.bash && -r $__bird_install/$__bird_i_completion ]]; then
  builtin source "$__bird_install/$__bird_i_completion"
fi

# Last: the shell that starts a recorder waits in it here, then exits with it.
__bird_recorder
