# BIRD capture hook for fish 3.x: `source /path/to/hooks/bird.fish` in ~/.config/fish/config.fish.
#
# After each command this writes one record to its own small spool file with builtins only
# (fish runs builtins, command substitutions of builtins and $umask changes in-process: no
# fork), then makes sure a drainer (`bird-capture --drain`) is alive to turn it into Parquet.
# Only when none is alive does it fork, once, to start one; the drainer lingers, so a burst of
# commands costs one Node start. See packages/capture/src/spool/record-format.ts for the record
# format and why it is safe against torn writes.
#
# Time: fish has no builtin clock. So each record goes to a file of its own, written the moment
# the command ended (fish_postexec): the drainer takes the file's mtime as the end time and
# subtracts $CMD_DURATION for the start. The end is as precise as the kernel's file timestamps
# (one clock tick, typically 1-4 ms); the duration has fish's millisecond precision.
#
# The drainer is started with setsid (in a new session, not fish's process group), so it outlives
# the terminal. Whether it is alive is checked with `test -d /proc/PID` (fish's kill is not a
# builtin); where there is no /proc, `kill -0` is used, which forks.
# Settings: BIRD_ROOT, BIRD_DISABLED=1 (nothing is even spooled), BIRD_CLIENT_ID,
# BIRD_CAPTURE_BIN (bird-capture's bundle; default: next to this file in a clone),
# BIRD_NODE (default: node). A command starting with a space is not recorded.

status is-interactive; or return 0
set -q __bird_sid; and return 0 # sourced twice: keep the first hooks, add none

if test -n "$BIRD_CAPTURE_BIN"
    set -g __bird_bin $BIRD_CAPTURE_BIN
else
    set -l here (status filename)
    string match -q -- '/*' $here; or set here $PWD/$here
    set -g __bird_bin (string replace -r -- '/[^/]*$' '' $here)/../packages/capture/dist/bird-capture.cjs
end
set -g __bird_boot ''
test -r /proc/sys/kernel/random/boot_id; and read -g __bird_boot </proc/sys/kernel/random/boot_id
set -g __bird_proc 0
test -d /proc/$fish_pid; and set __bird_proc 1
# host and pid make it unique across machines and across live shells; two 31-bit randoms cover
# pid reuse and hosts of the same name. All of it is computed without a fork.
set -g __bird_sid (string replace -ra -- '[^A-Za-z0-9_-]' _ (string split -- . $hostname)[1])-$fish_pid-(random 0 2147483647)-(random 0 2147483647)
set -g __bird_seq 0
set -g __bird_cwd ''
set -g __bird_root_for ''
set -g __bird_root ''
set -g __bird_spool ''

function __bird_paths
    set -g __bird_root_for "$BIRD_ROOT"
    set -g __bird_root $BIRD_ROOT
    if test -z "$__bird_root"
        if test -n "$XDG_DATA_HOME"
            set __bird_root $XDG_DATA_HOME/bird
        else
            set __bird_root $HOME/.local/share/bird
        end
    end
    string match -q -- '/*' $__bird_root; or set __bird_root $PWD/$__bird_root
    set -g __bird_spool $__bird_root/spool
end

function __bird_preexec --on-event fish_preexec
    set -g __bird_cwd $PWD
    set -g __bird_ran 1
end

function __bird_postexec --on-event fish_postexec
    set -l st $status # first: the status of the command that just ran
    set -l dur $CMD_DURATION
    set -q __bird_ran; or return $st # nothing ran since the last prompt
    set -e __bird_ran
    set -l cmd "$argv"
    if test "$BIRD_DISABLED" = 1; or test -z "$cmd"; or string match -q -- ' *' $cmd
        return $st
    end
    test "$BIRD_ROOT" = "$__bird_root_for" -a -n "$__bird_root"; or __bird_paths
    # Escaped into variables first and expanded quoted: an empty list must not empty the record.
    # Most texts need no escaping; one regex test is much cheaper than the function call.
    set -l id "$BIRD_CLIENT_ID"
    set -l d "$__bird_cwd"
    set -l c "$cmd"
    string match -qr -- '[\\\\\t\n]' "$id"; and set id (__bird_escape "$id")
    string match -qr -- '[\\\\\t\n]' "$d"; and set d (__bird_escape "$d")
    string match -qr -- '[\\\\\t\n]' "$c"; and set c (__bird_escape "$c")
    set -l rec \n"b1"\t"fish"\t"$__bird_sid"\t"$fish_pid"\t\t\t"$dur"\t"$st"\t"$id"\t"$d"\t"$c"\t"e"\n
    set -g __bird_seq (math $__bird_seq + 1)
    set -l file $__bird_spool/$fish_pid.$__bird_sid.$__bird_seq.spool
    if test -d $__bird_spool
        # A new file per record: create it 0600 without touching the user's umask for longer
        # than this one write ($umask is fish's in-process umask).
        set -l um $umask
        set -g umask 0077
        printf '%s' $rec >$file 2>/dev/null
        set -l ok $status
        set -g umask $um
        if test $ok = 0
            set -l pid ''
            set -l boot ''
            test -r $__bird_spool/drainer.pid; and read pid boot <$__bird_spool/drainer.pid
            if string match -qr -- '^[0-9]+$' "$pid"; and test "$boot" = "$__bird_boot"
                if test $__bird_proc = 1
                    test -d /proc/$pid; and return $st
                else if command kill -0 $pid 2>/dev/null
                    return $st
                end
            end
            set rec ''
        end
    end
    __bird_launch "$rec" $file
    return $st
end

# `\` `newline` `tab` → `\\` `\n` `\t`, as one line (see record-format.ts).
function __bird_escape
    set -l lines (string split -- \n $argv[1])
    set lines (string replace -a -- '\\' '\\\\' $lines)
    set lines (string replace -a -- \t '\t' $lines)
    string join -- '\n' $lines
    return 0
end

# The slow path, taken when no drainer is alive or the spool folder is missing: one sh that
# (umask 077 inside it only) spools the record if still needed and starts a drainer with setsid,
# detached from fish's process group and the terminal. Nothing is printed, no job is left.
function __bird_launch
    set -l node node
    test -n "$BIRD_NODE"; and set node $BIRD_NODE
    sh -c '
        umask 077
        trap "" HUP  # inherited until setsid has moved the drainer out of this terminal session
        unset NODE_EXTRA_CA_CERTS
        rec=$1 file=$2 spool=$3 root=$4 bin=$5 boot=$6 node=$7
        errlog=$root/errors.log
        [ -d "$spool" ] || mkdir -p -- "$spool" || exit 1
        [ -z "$rec" ] || printf "%s" "$rec" >"$file" || exit 1
        if ! command -v "$node" >/dev/null 2>&1; then
            printf "%s bird hook: cannot start bird-capture because \"%s\" was not found; install Node.js 20+ or set BIRD_NODE (commands stay spooled in %s).\n" "$(date -u +%FT%TZ)" "$node" "$spool" >>"$errlog"
            exit 0
        fi
        if [ ! -r "$bin" ]; then
            printf "%s bird hook: cannot start bird-capture because %s does not exist; run npm install in the bird checkout or set BIRD_CAPTURE_BIN (commands stay spooled in %s).\n" "$(date -u +%FT%TZ)" "$bin" "$spool" >>"$errlog"
            exit 0
        fi
        # A first record (no spool folder yet) comes here even when a drainer is alive: do not start a second.
        if read -r pid pboot <"$spool/drainer.pid" 2>/dev/null && [ "$pboot" = "$boot" ] && kill -0 "$pid" 2>/dev/null; then
            exit 0
        fi
        BIRD_ROOT=$root
        export BIRD_ROOT
        if command -v setsid >/dev/null 2>&1; then
            setsid "$node" "$bin" --drain </dev/null >/dev/null 2>>"$errlog" &
        else
            "$node" "$bin" --drain </dev/null >/dev/null 2>>"$errlog" &
        fi
        printf "%s %s\n" "$!" "$boot" >"$spool/drainer.pid"
    ' bird-launch $argv[1] $argv[2] $__bird_spool $__bird_root $__bird_bin "$__bird_boot" $node </dev/null >/dev/null 2>/dev/null
end
