# shellcheck shell=bash
# BIRD capture hook for bash 4.4+: `source /path/to/hooks/bird.bash` at the END of ~/.bashrc
# (after bash-preexec, starship, etc., so it is first in PROMPT_COMMAND and sees the real $?).
#
# After each command this appends one record to a per-shell spool file with builtins only (no
# fork, no $(...)), then makes sure a drainer (`bird-capture --drain`) is alive to turn it into
# Parquet. Only when none is alive does it fork, once, to start one; the drainer lingers, so a
# burst of commands costs one Node start. See packages/capture/src/spool/record-format.ts for the
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
#   (ignoredups/erasedups); with ignorespace/ignoreboth or HISTIGNORE bash cannot tell a repeated
#   command from a space-prefixed one, so it is not recorded (use HISTCONTROL=ignoredups: BIRD
#   itself skips space-prefixed commands); with `set +o history` nothing is recorded.
# - `shopt -u promptvars` turns PS0 expansions off, and with them capture.
#
# Time: bash 5 $EPOCHREALTIME at both ends: microseconds. bash 4.4 has no $EPOCHREALTIME: the
# start is PS0's `\D{%s}` and the end `printf '%(%s)T'`, both whole seconds, so durations there
# are multiples of 1000 ms.
# Settings: BIRD_ROOT, BIRD_DISABLED=1 (nothing is even spooled), BIRD_CLIENT_ID,
# BIRD_CAPTURE_BIN (bird-capture's bundle; default: next to this file in a clone),
# BIRD_NODE (default: node). A command starting with a space is not recorded.

[[ $- == *i* ]] || return 0
[[ -n ${__bird_sid-} ]] && return 0   # sourced twice: keep the first hooks, add none

if [[ -z ${BIRD_CAPTURE_BIN-} ]]; then
  __bird_bin=${BASH_SOURCE[0]}
  [[ $__bird_bin == */* ]] && __bird_bin=${__bird_bin%/*} || __bird_bin=.
  [[ $__bird_bin == /* ]] || __bird_bin=$PWD/$__bird_bin
  __bird_bin=$__bird_bin/../packages/capture/dist/bird-capture.cjs
else
  __bird_bin=$BIRD_CAPTURE_BIN
fi
__bird_boot=
{ builtin read -r __bird_boot </proc/sys/kernel/random/boot_id; } 2>/dev/null
# host, pid and start time make it unique across machines and across shells of one machine;
# $RANDOM covers two hosts with the same name. All of it is read without a fork.
__bird_sid=${HOSTNAME%%.*}
__bird_sid=${__bird_sid//[!A-Za-z0-9_-]/_}
if [[ -n ${EPOCHREALTIME-} ]]; then __bird_sid+=-$$-${EPOCHREALTIME//[.,]/}-$RANDOM; else
  builtin printf -v __bird_sid '%s-%s-%(%s)T-%s%s' "$__bird_sid" "$$" -1 "$RANDOM" "$RANDOM"
fi
__bird_s='' __bird_c='' __bird_root_for='' __bird_root='' __bird_spool='' __bird_hist=''
__bird_hn='' __bird_ht='' __bird_ln='' __bird_lt='' __bird_based='' __bird_bpcmd=''
declare -gA __bird_A=()
# shellcheck disable=SC2016  # expanded by bash when it shows PS0, not here
__bird_ps0='${__bird_A[${__bird_s:=${EPOCHREALTIME:-\D{%s}}}${__bird_c:=$PWD}]-}'

__bird_paths() {
  __bird_root_for=${BIRD_ROOT-}
  __bird_root=${BIRD_ROOT:-${XDG_DATA_HOME:-$HOME/.local/share}/bird}
  [[ $__bird_root == /* ]] || __bird_root=$PWD/$__bird_root
  __bird_spool=$__bird_root/spool
  __bird_hist=$__bird_spool/$$.$__bird_sid.hist
}

# `history 1` → __bird_hn (its number) and __bird_ht (its text). Caller silences stderr.
__bird_hist1() {
  local line=
  [[ -f $__bird_hist ]] || __bird_launch '' '' || return 1
  # Overwritten in place (1<>, no truncation) and ended with a NUL that `read -d ''` stops at:
  # truncating a file that holds data makes ext4 flush it, ~0.3 ms a prompt. Older, longer
  # entries may linger past the NUL; the file only ever holds what bash's own history holds,
  # is 0600 in a 0700 folder, and the drainer deletes it once this shell is gone.
  { HISTTIMEFORMAT='' builtin history 1; builtin printf '\0'; } 1<>"$__bird_hist"
  IFS= builtin read -r -d '' line <"$__bird_hist"
  line=${line%$'\n'}
  line=${line#"${line%%[! ]*}"}   # history prints "%5d%c %s": number, '*' or ' ', space, text
  __bird_hn=${line%%[!0-9]*}
  line=${line#"$__bird_hn"}
  __bird_ht=${line:2}
  [[ -n $__bird_hn ]]
}

__bird_precmd() {
  local st=$?   # first: the status of the command that just ran
  local -       # every option set below is restored on return
  set +eux
  [[ $PS0 == *"$__bird_ps0"* ]] || PS0+=$__bird_ps0   # the user replaced PS0 after we loaded
  [[ ${BIRD_ROOT-} == "$__bird_root_for" && -n $__bird_root ]] || __bird_paths
  if [[ -z $__bird_s ]]; then
    # No command line was run (empty Enter, Ctrl-C at the prompt, PROMPT_COMMAND run again).
    # The first time, note where history stands so the first command can be told apart.
    if [[ -z $__bird_based ]] && __bird_hist1; then __bird_based=1 __bird_ln=$__bird_hn __bird_lt=$__bird_ht; fi
    return $st
  fi
  local start=$__bird_s cwd=$__bird_c end=${EPOCHREALTIME-} cmd=
  __bird_s='' __bird_c=''
  [[ -n $end ]] || builtin printf -v end '%(%s)T' -1
  __bird_hist1 || return $st
  if [[ $__bird_hn != "$__bird_ln" || $__bird_ht != "$__bird_lt" ]]; then
    cmd=$__bird_ht
  elif [[ -o history && $HISTCONTROL != *ignorespace* && $HISTCONTROL != *ignoreboth* && -z ${HISTIGNORE-} ]]; then
    cmd=$__bird_ht   # not added to history: only ignoredups/erasedups do that here, so a repeat
  fi
  __bird_based=1 __bird_ln=$__bird_hn __bird_lt=$__bird_ht
  __bird_emit "$st" "$start" "$end" "$cwd" "$cmd"
  return $st
}

# With bash-preexec loaded first, ride on its hooks instead of PS0/PROMPT_COMMAND: it already
# runs preexec once per command line and hands precmd functions the command's $?.
__bird_bp_preexec() {
  __bird_s=${EPOCHREALTIME-}
  [[ -n $__bird_s ]] || builtin printf -v __bird_s '%(%s)T' -1
  __bird_c=$PWD __bird_bpcmd=$1
}

__bird_bp_precmd() {
  local st=$?
  local -
  set +eux
  [[ -n $__bird_s ]] || return $st
  local start=$__bird_s end=${EPOCHREALTIME-}
  __bird_s=
  [[ -n $end ]] || builtin printf -v end '%(%s)T' -1
  [[ ${BIRD_ROOT-} == "$__bird_root_for" && -n $__bird_root ]] || __bird_paths
  __bird_emit "$st" "$start" "$end" "$__bird_c" "$__bird_bpcmd" 2>/dev/null
  return $st
}

# status start end cwd cmd → one record appended to the spool; a drainer started if none lives.
# Callers send stderr to /dev/null once (each redirection here would cost ~15 µs a prompt).
__bird_emit() {
  [[ ${BIRD_DISABLED-} == 1 || -z $5 || $5 == ' '* ]] && return 0
  # shellcheck disable=SC1003  # a lone backslash, on purpose
  local bs='\' nl=$'\n' tab=$'\t' c d id=${BIRD_CLIENT_ID-}
  c=${5//"$bs"/"$bs$bs"} c=${c//"$nl"/"$bs"n} c=${c//"$tab"/"$bs"t}
  d=${4//"$bs"/"$bs$bs"} d=${d//"$nl"/"$bs"n} d=${d//"$tab"/"$bs"t}
  id=${id//"$bs"/"$bs$bs"} id=${id//"$nl"/"$bs"n} id=${id//"$tab"/"$bs"t}
  local rec=$nl"b1${tab}bash$tab$__bird_sid$tab$$$tab$2$tab$3$tab$tab$1$tab$id$tab$d$tab${c}${tab}e$nl"
  local file=$__bird_spool/$$.$__bird_sid.spool
  # Append only to a file that exists: the drainer creates it 0600, so records never land in a
  # file made with the user's umask. The first record of a shell goes the slow way below.
  if [[ -f $file ]] && builtin printf '%s' "$rec" >>"$file"; then
    local pid='' boot=''
    builtin read -r pid boot <"$__bird_spool/drainer.pid"
    [[ -n $pid && $pid != *[!0-9]* && $boot == "$__bird_boot" ]] && builtin kill -0 "$pid" && return 0
    rec=
  fi
  __bird_launch "$rec" "$file"
}

# The slow path, taken when no drainer is alive or a spool file is missing: one subshell (umask
# 077 inside it only) that creates the spool files, appends the record if still needed and, given
# a file, starts a drainer in a new session (setsid), so closing the terminal does not take it
# down. No job is left in this shell, hence no "[1] 12345" or "Done" lines.
__bird_launch() {
  (
    umask 077
    trap '' HUP   # inherited until setsid has moved the drainer out of this terminal session
    unset NODE_EXTRA_CA_CERTS
    errlog=$__bird_root/errors.log node=${BIRD_NODE:-node}
    [[ -d $__bird_spool ]] || mkdir -p -- "$__bird_spool" || exit 1
    [[ -e $__bird_hist ]] || : >>"$__bird_hist"
    [[ -n $2 ]] || exit 0
    [[ -z $1 ]] || builtin printf '%s' "$1" >>"$2" || exit 1
    if [[ $node == */* && ! -x $node ]] || { [[ $node != */* ]] && ! hash "$node" 2>/dev/null; }; then
      builtin printf '%(%FT%T%z)T bird hook: cannot start bird-capture because "%s" was not found; install Node.js 20+ or set BIRD_NODE (commands stay spooled in %s).\n' -1 "$node" "$__bird_spool" >>"$errlog"
      exit 0
    fi
    if [[ ! -r $__bird_bin ]]; then
      builtin printf '%(%FT%T%z)T bird hook: cannot start bird-capture because %s does not exist; run npm install in the bird checkout or set BIRD_CAPTURE_BIN (commands stay spooled in %s).\n' -1 "$__bird_bin" "$__bird_spool" >>"$errlog"
      exit 0
    fi
    # A first record (no spool file yet) comes here even when a drainer is alive: do not start a second.
    { builtin read -r pid boot <"$__bird_spool/drainer.pid"; } 2>/dev/null
    [[ -n $pid && $pid != *[!0-9]* && $boot == "$__bird_boot" ]] && builtin kill -0 "$pid" 2>/dev/null && exit 0
    export BIRD_ROOT=$__bird_root
    if hash setsid 2>/dev/null; then
      setsid "$node" "$__bird_bin" --drain </dev/null >/dev/null 2>>"$errlog" &
    else
      "$node" "$__bird_bin" --drain </dev/null >/dev/null 2>>"$errlog" &
    fi
    builtin printf '%s %s\n' "$!" "$__bird_boot" >"$__bird_spool/drainer.pid"
  ) </dev/null >/dev/null 2>&1
}

if [[ -n ${bash_preexec_imported-}${__bp_imported-} ]]; then
  preexec_functions+=(__bird_bp_preexec)
  precmd_functions=(__bird_bp_precmd "${precmd_functions[@]}")
else
  PS0=${PS0-}$__bird_ps0
  # First, so it sees the command's $?; it returns that same status to whatever runs next. The
  # braces send `set -x` tracing of the call to /dev/null instead of the terminal.
  __bird_pc='{ __bird_precmd; } 2>/dev/null'
  if [[ ${PROMPT_COMMAND@a} == *a* ]]; then
    PROMPT_COMMAND=("$__bird_pc" "${PROMPT_COMMAND[@]}")
  else
    # shellcheck disable=SC2178,SC2128  # a string here: the array case is handled above
    PROMPT_COMMAND=$__bird_pc${PROMPT_COMMAND:+$'\n'$PROMPT_COMMAND}
  fi
fi
