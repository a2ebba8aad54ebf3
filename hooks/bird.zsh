# BIRD capture hook for zsh: `source /path/to/hooks/bird.zsh` in ~/.zshrc.
#
# After each command this appends one record to a per-shell spool file with builtins only (no
# fork, no $(...)), then makes sure a drainer (`bird-capture --drain`) is alive to turn it into
# Parquet. Only when none is alive does it fork, once, to start one; the drainer lingers, so a
# burst of commands costs one Node start. See packages/capture/src/spool/record-format.ts for the
# record format and why it is safe against torn writes.
#
# Time: zsh/datetime's $EPOCHREALTIME, read in preexec (start) and precmd (end): microseconds.
# Settings: BIRD_ROOT, BIRD_DISABLED=1 (nothing is even spooled), BIRD_CLIENT_ID,
# BIRD_CAPTURE_BIN (bird-capture's bundle; default: next to this file in a clone),
# BIRD_NODE (default: node). A command starting with a space is not recorded.

[[ -o interactive ]] || return 0
(( ${+__bird_sid} )) && return 0   # sourced twice: keep the first hooks, add none
zmodload zsh/datetime 2>/dev/null || return 0

typeset -g __bird_bin=${BIRD_CAPTURE_BIN:-${${(%):-%x}:A:h:h}/packages/capture/dist/bird-capture.cjs}
typeset -g __bird_boot=
{ read -r __bird_boot </proc/sys/kernel/random/boot_id } 2>/dev/null
# host, pid and start time make it unique across machines and across shells of one machine;
# $RANDOM covers two hosts with the same name. All of it is read without a fork.
typeset -g __bird_sid=${${HOST%%.*}//[^A-Za-z0-9_-]/_}-$$-${EPOCHREALTIME//[.,]/}-$RANDOM
typeset -g __bird_start= __bird_cwd= __bird_cmd= __bird_root_for= __bird_root= __bird_spool=

__bird_paths() {
  __bird_root_for=${BIRD_ROOT-}
  __bird_root=${BIRD_ROOT:-${XDG_DATA_HOME:-$HOME/.local/share}/bird}
  [[ $__bird_root == /* ]] || __bird_root=$PWD/$__bird_root
  __bird_spool=$__bird_root/spool
}

__bird_preexec() {
  __bird_start=$EPOCHREALTIME
  __bird_cwd=$PWD
  __bird_cmd=$1
}

__bird_precmd() {
  local st=$?   # first: the status of the command that just ran
  [[ -n $__bird_start ]] || return $st   # empty line or Ctrl-C at the prompt: nothing ran
  local end=$EPOCHREALTIME start=$__bird_start
  __bird_start=
  [[ ${BIRD_DISABLED-} == 1 || $__bird_cmd == ' '* || -z $__bird_cmd ]] && return $st
  [[ ${BIRD_ROOT-} == "$__bird_root_for" && -n $__bird_root ]] || __bird_paths
  local nl=$'\n' tab=$'\t' bs='\'
  local c=${${${__bird_cmd//$bs/$bs$bs}//$nl/${bs}n}//$tab/${bs}t}
  local d=${${${__bird_cwd//$bs/$bs$bs}//$nl/${bs}n}//$tab/${bs}t}
  local id=${BIRD_CLIENT_ID-}
  id=${${${id//$bs/$bs$bs}//$nl/${bs}n}//$tab/${bs}t}
  local rec=$nl'b1'$tab'zsh'$tab$__bird_sid$tab$$$tab$start$tab$end$tab$tab$st$tab$id$tab$d$tab$c$tab'e'$nl
  local file=$__bird_spool/$$.$__bird_sid.spool
  # Append only to a file that exists: the drainer creates it 0600, so records never land in a
  # file made with the user's umask. The first record of a shell goes the slow way below.
  if [[ -f $file ]] && { print -rn -- $rec >>$file } 2>/dev/null; then
    local pid= boot=
    { read -r pid boot <$__bird_spool/drainer.pid } 2>/dev/null
    [[ -n $pid && $pid != *[^0-9]* && $boot == "$__bird_boot" ]] && kill -0 $pid 2>/dev/null && return $st
    rec=
  fi
  __bird_launch "$rec" "$file"   # quoted: an empty record must stay an argument
  return $st
}

# The slow path, taken when no drainer is alive or the spool file is missing: one subshell
# (umask 077 inside it only) that spools the record if still needed and starts a drainer in a
# new session (setsid), so closing the terminal does not take it down. No job is left in this
# shell, hence no "[1] 12345" or "done" lines.
__bird_launch() {
  local rec=$1 file=$2
  (
    umask 077
    trap '' HUP   # inherited until setsid has moved the drainer out of this terminal session
    unset NODE_EXTRA_CA_CERTS
    local errlog=$__bird_root/errors.log node=${BIRD_NODE:-node}
    [[ -d $__bird_spool ]] || mkdir -p -- $__bird_spool || exit
    [[ -z $rec ]] || print -rn -- $rec >>$file || exit
    if ! (( $+commands[$node] )) && [[ ! -x $node ]]; then
      print -r -- "$(date -u +%FT%TZ) bird hook: cannot start bird-capture because \"$node\" was not found; install Node.js 20+ or set BIRD_NODE (commands stay spooled in $__bird_spool)." >>$errlog
      exit
    fi
    if [[ ! -r $__bird_bin ]]; then
      print -r -- "$(date -u +%FT%TZ) bird hook: cannot start bird-capture because $__bird_bin does not exist; run npm install in the bird checkout or set BIRD_CAPTURE_BIN (commands stay spooled in $__bird_spool)." >>$errlog
      exit
    fi
    # A first record (no spool file yet) comes here even when a drainer is alive: do not start a second.
    local pid= boot=
    { read -r pid boot <$__bird_spool/drainer.pid } 2>/dev/null
    [[ -n $pid && $pid != *[^0-9]* && $boot == "$__bird_boot" ]] && kill -0 $pid 2>/dev/null && exit 0
    export BIRD_ROOT=$__bird_root
    if (( $+commands[setsid] )); then
      setsid $node $__bird_bin --drain </dev/null >/dev/null 2>>$errlog &
    else
      $node $__bird_bin --drain </dev/null >/dev/null 2>>$errlog &
    fi
    print -r -- "$! $__bird_boot" >$__bird_spool/drainer.pid
  ) </dev/null >/dev/null 2>&1
}

# Redefine the functions under sticky `emulate -R zsh`: whatever the user's options (xtrace,
# ksh_arrays, no_unset, ...), they run with zsh defaults, and the user's options are untouched.
zmodload zsh/parameter 2>/dev/null && () {
  local f
  for f in __bird_paths __bird_preexec __bird_precmd __bird_launch; do
    emulate -R zsh -c "$f() { ${functions[$f]} }"
  done
}

autoload -Uz add-zsh-hook
add-zsh-hook preexec __bird_preexec
add-zsh-hook precmd __bird_precmd
# precmd must see the command's $? before any other precmd function changes it.
precmd_functions=(__bird_precmd ${precmd_functions:#__bird_precmd})
