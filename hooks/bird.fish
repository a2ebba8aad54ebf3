# BIRD capture hook for fish 3.x: `source /path/to/hooks/bird.fish` in ~/.config/fish/config.fish.
#
# After each command this writes one record to its own small spool file with builtins only
# (fish runs builtins, command substitutions of builtins and $umask changes in-process: no
# fork), then makes sure a drainer (`bird-capture --drain`) is alive to store it (a Parquet file,
# or a row of bird.duckdb in duckdb mode). Only when none is alive does it fork, once, to start
# one; the drainer lingers, so a burst of commands costs one Node start. See packages/capture/src/spool/record-format.ts for the record
# format and why it is safe against torn writes.
#
# Time: fish has no builtin clock. So each record goes to a file of its own, written the moment
# the command ended (fish_postexec): the drainer takes the file's mtime as the end time and
# subtracts $CMD_DURATION for the start. The end is as precise as the kernel's file timestamps
# (one clock tick, typically 1-4 ms); the duration has fish's millisecond precision.
#
# The drainer is started with setsid (in a new session, not fish's process group), so it outlives
# the terminal. Whether it is alive is checked with `test -e /proc/PID/exe` (fish's kill is not a
# builtin); where there is no /proc, `kill -0` is used, which forks.
# Settings: BIRD_ROOT, BIRD_DISABLED=1 (nothing is even spooled), BIRD_CLIENT_ID,
# BIRD_CAPTURE_BIN (bird-capture's bundle; default: this install's), BIRD_NODE (default: node).
# A command starting with a space is not recorded. What config.toml says for the hook, bird
# resolves (see __bird_settings); where bird's files are, install.fish beside this file says.

# Sourced by bash or zsh (these two lines read alike in all three): say which file they need.
test -n "$FISH_VERSION" || echo "bird: hooks/bird.fish is the fish hook; source hooks/bird.zsh (zsh) or hooks/bird.bash (bash) instead." >&2
test -n "$FISH_VERSION" || return 1
status is-interactive; or return 0
set -q __bird_sid; and return 0 # sourced twice: keep the first hooks, add none

# Where bird's files are, in the install and in BIRD_ROOT (__bird_i_*, __bird_r_*): install.fish
# beside this file, written by scripts/build.mjs from the one list of them. `bird hook fish`
# prints the same lines before this file, and the install's folder.
if not set -q __bird_install
    set -l here (status filename)
    string match -q -- '/*' $here; or set here $PWD/$here
    set -l hooks (string replace -r -- '/[^/]*$' '' $here)
    if not test -r $hooks/install.fish
        printf 'bird: %s could not be read, so the hook is not loaded: restore it (git checkout hooks) or reinstall bird.\n' $hooks/install.fish >&2
        return 1
    end
    source $hooks/install.fish
    set -g __bird_install (string replace -r -- '/'(string escape --style=regex -- $__bird_i_hooks)'$' '' $hooks)
end
set -g __bird_bin $BIRD_CAPTURE_BIN
test -n "$__bird_bin"; or set __bird_bin $__bird_install/$__bird_i_capture
# In a clone, `npm install` links bird only into node_modules/.bin: when no bird is on PATH, the
# clone's bin/ (bird, bird-sync and bird-capture, nothing else) goes at the end of PATH.
if not command -q bird; and test -x $__bird_install/$__bird_i_bin/bird
    set -gx PATH $PATH $__bird_install/$__bird_i_bin
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
set -g __bird_cmd ''
# The previous record's file: still there at the next command means no drainer has been by.
set -g __bird_last ''
# Records not yet written (the spool could not be written): file name, record, file name, ...
set -g __bird_held
set -g __bird_warned ''
set -g __bird_verified ''
# Boot time, for a clock of /proc/uptime: held records need an end time their file cannot give.
set -g __bird_btime ''
test -r /proc/stat; and set __bird_btime (string replace -rf -- '^btime ([0-9]+)$' '$1' </proc/stat)
set -g __bird_root_for ''
set -g __bird_root ''
set -g __bird_spool ''
set -g __bird_marker ''

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
    set -g __bird_spool $__bird_root/$__bird_r_spool
    set -g __bird_marker $__bird_root/$__bird_r_marker
end

function __bird_preexec --on-event fish_preexec
    set -g __bird_cwd $PWD
    set -g __bird_cmd "$argv"
    set -g __bird_ran 1
    # Under the recorder: where this command's output starts. fish has no clock, so the key is
    # the number its record's file will carry (the drainer reads it from the file's name).
    if set -q __bird_rec_log[1]; and test "$BIRD_DISABLED" != 1; and not string match -q -- ' *' "$argv"
        set -g __bird_mark $__bird_sid:s(math $__bird_seq + 1)
        set -q __bird_rec_133[1]; and printf '\e]133;C\a'
        printf '\e]6973;C;%s\a' $__bird_mark
    end
end

function __bird_postexec --on-event fish_postexec
    set -l st $status # first: the status of the command that just ran
    set -l dur $CMD_DURATION
    if set -q __bird_mark[1]
        printf '\e]6973;D;%s\a' $__bird_mark
        set -q __bird_rec_133[1]; and printf '\e]133;D;%s\a' $st
        set -e __bird_mark
    end
    set -q __bird_rec_133[1]; and printf '\e]133;A\a'
    if not set -q __bird_ran # nothing ran since the last prompt
        set -q __bird_held[1]; and __bird_spool_rec '' '' ''
        return $st
    end
    set -e __bird_ran
    __bird_record $st "$dur" "$argv"
    return $st
end

# The shell is exiting while a command line it started has not ended: `exit` typed in it, or
# the terminal closed under it (then /dev/tty is gone: the hang-up killed the command, as
# SIGHUP's 128+1). fish emits fish_exit on a hang-up too. There is no duration to give: the
# record is dated by its file, written now.
function __bird_exit --on-event fish_exit
    set -l st $status
    if set -q __bird_ran
        set -e __bird_ran
        true </dev/tty 2>/dev/null; or set st 129
        __bird_record $st '' "$__bird_cmd"
    else if set -q __bird_held[1]
        __bird_spool_rec '' '' ''
    end
    return $st
end

# status duration cmd → the record, spooled (or held until it can be).
function __bird_record
    set -l cmd $argv[3]
    if test "$BIRD_DISABLED" = 1; or test -z "$cmd"; or string match -q -- ' *' $cmd
        return 0
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
    # The end field stays empty (the file's mtime is the end) unless the record must be held.
    set -l head \n"b1"\t"fish"\t"$__bird_sid"\t"$fish_pid"\t\t
    set -l tail \t"$argv[2]"\t"$argv[1]"\t"$id"\t"$d"\t"$c"\t"e"\n
    set -g __bird_seq (math $__bird_seq + 1)
    set -l file $__bird_spool/$fish_pid.$__bird_sid.$__bird_seq.spool
    # Written here only to a folder that takes it, so fish prints no redirection warning.
    if not set -q __bird_held[1]; and test -d $__bird_spool -a -w $__bird_spool
        # A new file per record: create it 0600 without touching the user's umask for longer
        # than this one write ($umask is fish's in-process umask).
        set -l um $umask
        set -g umask 0077
        printf '%s' $head$tail >$file 2>/dev/null
        set -l ok $status
        set -g umask $um
        if test $ok = 0
            set -l pid ''
            set -l boot ''
            test -r $__bird_marker; and read pid boot <$__bird_marker
            # The marker's pid is checked for really being a drainer (after a kill -9 it can name
            # a zombie or a pid reused by another program) the first time this shell sees it, and
            # again whenever the previous record's file is still there (no drainer has been by).
            set -l unseen 0
            test "$pid" = "$__bird_verified"; or set unseen 1
            test -n "$__bird_last"; and test -e $__bird_last; and set unseen 1
            set -g __bird_last $file
            # Bird's one liveness rule (packages/core/src/process-liveness.ts, PROTOCOL.md "Lock
            # files") asked with builtins: the marker's boot id is this boot's; the pid exists and
            # is not a zombie, here /proc/PID/exe (the rule reads state Z from /proc/PID/stat),
            # and kill -0 where there is no /proc, as the rule; the marker has no start time
            # (`pid boot`), so a reused pid is caught as the drainer catches it, by the command
            # line (__bird_is_drainer). The launcher below asks the same, in sh.
            if string match -qr -- '^[0-9]+$' "$pid"; and test "$boot" = "$__bird_boot"
                if test $__bird_proc = 1
                    # Not /proc/PID alone: a zombie (a drainer killed with -9, not reaped) has
                    # that folder, but no exe.
                    test -e /proc/$pid/exe; and begin
                        test $unseen = 0; or __bird_is_drainer $pid
                    end; and set -g __bird_verified $pid; and return 0
                else if command kill -0 $pid 2>/dev/null
                    return 0
                end
            end
            __bird_launch
            return 0
        end
    end
    # Written by the slow path now (its file's mtime is then its end), or else held, and then it
    # carries its end: the file's mtime, later, would not be.
    __bird_spool_rec $file $head$tail $head(__bird_now)$tail
end

# Now as epoch seconds, without a fork: boot time plus /proc/uptime (to about a second).
# Empty where there is no /proc: the file's mtime dates the record then.
function __bird_now
    test -n "$__bird_btime"; or return 0
    set -l up
    read up _ </proc/uptime 2>/dev/null; or return 0
    math -s6 $__bird_btime + $up
end

# file record record-to-hold → writes every held record and this one (each to its own file) in
# one sh, and makes sure a drainer is alive; holds them all when they cannot be written yet.
function __bird_spool_rec
    set -l pending $__bird_held
    test -n "$argv[1]"; and set -a pending $argv[1] $argv[2]
    set -q pending[1]; or return 0
    if __bird_launch $pending
        set -g __bird_held
    else
        set -g __bird_held $__bird_held
        test -n "$argv[1]"; and set -a __bird_held $argv[1] $argv[3]
        set -g __bird_warned 1
    end
end

# True when pid $argv[1] runs `bird-capture --drain` (its /proc cmdline, read with a builtin).
function __bird_is_drainer
    set -l args (string split0 </proc/$argv[1]/cmdline 2>/dev/null)
    # The root is its last argument: a pid reused by the drainer of another root is not ours.
    test (count $args) -ge 2; and test "$args[-2]" = --drain; and test "$args[-1]" = "$__bird_root"
end

# `\` `newline` `tab` → `\\` `\n` `\t`, as one line (see record-format.ts).
function __bird_escape
    set -l lines (string split -- \n $argv[1])
    set lines (string replace -a -- '\\' '\\\\' $lines)
    set lines (string replace -a -- \t '\t' $lines)
    string join -- '\n' $lines
    return 0
end

# The slow path, taken when no drainer is alive or records could not be written here: one sh that
# (umask 077 inside it only) writes the records given (file record ...), each to its own file,
# and starts a drainer with setsid, detached from fish's process group and the terminal. Nothing
# is printed, no job is left. Fails (and says so in errors.log, once per shell) when a record
# could not be written.
function __bird_launch
    set -l node node
    test -n "$BIRD_NODE"; and set node $BIRD_NODE
    sh -c '
        umask 077
        trap "" HUP  # inherited until setsid has moved the drainer out of this terminal session
        unset NODE_EXTRA_CA_CERTS
        spool=$1 root=$2 marker=$3 errlog=$4 errtime=$5 bin=$6 boot=$7 node=$8 warned=$9
        shift 9
        # One line of errors.log, in the format every writer of it uses (core/src/errors-log.ts).
        log_error() { printf "%s bird hook: %s\n" "$(date -u +"$errtime")" "$1" >>"$errlog"; }
        if [ "$#" -gt 0 ]; then
            ok=1
            [ -d "$spool" ] || mkdir -p -- "$spool" || ok=0
            while [ "$ok" = 1 ] && [ "$#" -ge 2 ]; do
                printf "%s" "$2" >"$1" || ok=0
                shift 2
            done
            if [ "$ok" = 0 ]; then
                [ -n "$warned" ] || log_error "cannot write to the spool folder $spool (it is not a writable folder, or the disk is full); fish $PPID keeps its commands in memory and writes them there once it can."
                exit 1
            fi
        fi
        if ! command -v "$node" >/dev/null 2>&1; then
            log_error "cannot start bird-capture because \"$node\" was not found; install Node.js 20+ or set BIRD_NODE (commands stay spooled in $spool)."
            exit 0
        fi
        if [ ! -r "$bin" ]; then
            log_error "cannot start bird-capture because $bin does not exist; run npm install in the bird checkout or set BIRD_CAPTURE_BIN (commands stay spooled in $spool)."
            exit 0
        fi
        # Written by a live drainer (not a zombie, not a pid another program reused): nothing to start.
        if read -r pid pboot <"$marker" 2>/dev/null && [ "$pboot" = "$boot" ] && kill -0 "$pid" 2>/dev/null; then
            if [ ! -d /proc/self ]; then exit 0; fi
            case $(tr "\0" "\n" <"/proc/$pid/cmdline" 2>/dev/null | tail -n 2 | tr "\n" " ") in "--drain $root ") exit 0 ;; esac
        fi
        BIRD_ROOT=$root
        export BIRD_ROOT
        if command -v setsid >/dev/null 2>&1; then
            setsid "$node" "$bin" --drain "$root" </dev/null >/dev/null 2>>"$errlog" &
        else
            "$node" "$bin" --drain "$root" </dev/null >/dev/null 2>>"$errlog" &
        fi
        # Only where no marker is yet (set -C): once a drainer has made itself the leader, the
        # marker must keep naming it, never one that lost the race and goes after its first pass.
        set -C
        printf "%s %s\n" "$!" "$boot" >"$marker"
    ' bird-launch $__bird_spool $__bird_root $__bird_marker $__bird_root/$__bird_r_errors $__bird_errors_time $__bird_bin "$__bird_boot" $node "$__bird_warned" $argv </dev/null >/dev/null 2>/dev/null
end

# Which shell sourced the hook, by pid, for `bird doctor` (a child process sees it; a shell
# started inside this one that did not source the hook has another pid). Set once, here.
set -gx BIRD_HOOKED fish:$fish_pid
# Its session, which `bird run` joins when this shell is the one above it.
set -gx BIRD_SESSION $__bird_sid

# ── Search: Ctrl-R runs `bird search`, starting from what is typed ─────────────────────────────
# Enter or Tab puts the chosen command on the line (not run); Esc leaves the line as it was.
# Settings: BIRD_NO_BIND=1, or `bind_keys = false` in config.toml's [search], leaves every key
# alone; BIRD_BIND_UP=1 (or `bind_up = true`) also binds Up to a prefix search. When bird is
# disabled, or its search cannot run (no store yet, no Node), Ctrl-R is fish's own search.
set -g __bird_cli $BIRD_CLI_BIN
test -n "$__bird_cli"; or set __bird_cli $__bird_install/$__bird_i_cli

# The settings bird resolved from config.toml (core's hook-settings.ts), read once, here, into
# __bird_set_*: one line in $__bird_hs, which `bird hook fish` prints before this file. Sourced,
# the hook reads it from db/hook-settings, where bird writes it, followed by the config.toml text
# it was resolved from, whenever it reads a config.toml it has not seen. When that text is not
# config.toml's now (edited since, and no bird has read it yet), or the line is missing or not
# one this hook knows, bird is asked, once (it writes its answer there for the next shell). No
# config.toml, or no answer: the defaults (install.fish).
function __bird_settings
    if not set -q __bird_hs
        set -g __bird_hs ''
        __bird_paths
        if test -f $__bird_root/$__bird_r_config
            set -l cfg ''
            set -l text ''
            test -r $__bird_root/$__bird_r_config; and read -z cfg <$__bird_root/$__bird_r_config
            if test -r $__bird_root/$__bird_r_settings
                begin
                    read __bird_hs
                    read -z text
                end <$__bird_root/$__bird_r_settings
            end
            if test "$text" != "$cfg"; or not string match -qr -- $__bird_hs_form "$__bird_hs"; and test -r $__bird_cli
                set -l node node
                set -q BIRD_NODE; and set node $BIRD_NODE
                set -g __bird_hs (env -u NODE_EXTRA_CA_CERTS $node $__bird_cli __hook-settings $__bird_root </dev/null 2>/dev/null)
            end
        end
    end
    set -l form (string match -r -- $__bird_hs_form "$__bird_hs"); or set form (string match -r -- $__bird_hs_form $__bird_hs_default)
    set -g __bird_set_bind_keys $form[2]
    set -g __bird_set_bind_up $form[3]
    set -g __bird_set_output $form[4]
end

# $argv[1]: fish's own input function, for when the search cannot run; the rest: extra arguments.
function __bird_search_run
    set -l fallback $argv[1]
    if test "$BIRD_DISABLED" = 1; or not test -r $__bird_cli
        commandline -f $fallback
        return
    end
    set -l node node
    set -q BIRD_NODE; and set node $BIRD_NODE
    set -l out (env -u NODE_EXTRA_CA_CERTS $node $__bird_cli search --shell fish --session $__bird_sid $argv[2..-1] -- (commandline) </dev/tty 2>/dev/null | string collect)
    set -l rc $pipestatus[1]
    set -l run
    if test $rc -eq 0
        # action, then `run` when an Enter was typed right after the search, then the text.
        set -l parts (string split -m 2 -- \n $out)
        if test "$parts[1]" = cd
            cd -- $parts[3]
        else
            commandline -r -- $parts[3]
            commandline -C (string length -- $parts[3])
            set run $parts[2]
        end
    else if test $rc -ne 1
        commandline -f $fallback
        return
    end
    commandline -f repaint
    test "$run" = run; and commandline -f execute
end
function __bird_search_key
    __bird_search_run history-pager
end
function __bird_search_up_key
    if string match -q -- '*\n*' (commandline | string collect)
        commandline -f up-line
        return
    end
    __bird_search_run up-or-search --mode prefix
end

function __bird_bind_keys
    test "$BIRD_NO_BIND" = 1; and return
    __bird_settings
    test "$__bird_set_bind_keys" = 1; or return
    for mode in default insert
        bind -M $mode \cr __bird_search_key
        if test "$BIRD_BIND_UP" = 1; or test "$__bird_set_bind_up" = 1
            bind -M $mode \e\[A __bird_search_up_key
            bind -M $mode \eOA __bird_search_up_key
        end
    end
end
__bird_bind_keys
# fish_vi_key_bindings (or going back to the default ones) erases every binding: bind again.
function __bird_rebind_keys --on-variable fish_key_bindings
    __bird_bind_keys
end

# ── Passive output capture ([capture] output = true) ─────────────────────────────────────────
# As in hooks/bird.zsh: the shell runs under script(1), which appends what it printed to a log in
# spool/output, cut by the drainer at the marks above. The fish that sourced the hook waits for
# script and exits with its status; the one inside finds itself there (BIRD_OUTPUT_LOG,
# BIRD_OUTPUT_TTY). Anything that stops script from starting a shell leaves this one plain.
function __bird_rec_inside
    set -g __bird_rec_log $argv[1]
    __bird_term_marks; and set -g __bird_rec_133 1
end

# True when the hook prints OSC 133 marks itself: not where the terminal's own integration does.
function __bird_term_marks
    test "$BIRD_OSC133" = 0; and return 1
    test -n "$ITERM_SHELL_INTEGRATION_INSTALLED$VSCODE_SHELL_INTEGRATION$GHOSTTY_SHELL_FEATURES"; and return 1
    functions -q iterm2_precmd __vsc_cmd_finished __ksi_schedule __wezterm_mark_prompt_start __ghostty_mark_prompt_start; and return 1
    return 0
end

function __bird_rec_failed
    set -l errlog $__bird_root/$__bird_r_errors
    mkdir -p -- $__bird_root 2>/dev/null
    printf '%s bird hook: %s\n' (date -u +$__bird_errors_time) "output capture is off in fish $fish_pid: $argv[1]; its commands are recorded without their output." >>$errlog 2>/dev/null
end

function __bird_recorder
    set -l log "$BIRD_OUTPUT_LOG"
    if test -n "$log" -a -n "$BIRD_OUTPUT_TTY"; and isatty stdin; and test /dev/stdin -ef "$BIRD_OUTPUT_TTY"
        __bird_rec_inside $log
        return 0
    end
    if test -n "$log"; and test -s "$log.starting"; and isatty stdin
        set -gx BIRD_OUTPUT_TTY (tty)
        printf '' >$log.starting
        __bird_rec_inside $log
        return 0
    end
    set -e BIRD_OUTPUT_LOG BIRD_OUTPUT_TTY
    test "$BIRD_DISABLED" != 1; and isatty stdin; and isatty stdout; or return 0
    __bird_settings
    test "$__bird_set_output" = 1; or return 0
    if not command -q script
        __bird_rec_failed "script(1) was not found on PATH (util-linux)"
        return 0
    end
    set log $__bird_root/$__bird_r_outlog/$fish_pid.$__bird_sid.log
    if not sh -c 'umask 077; mkdir -p -- "${1%/*}" && printf x >"$1.starting" && : >>"$1"' sh $log 2>/dev/null
        __bird_rec_failed "its log $log could not be created"
        return 0
    end
    set -l run exec (string escape -- (status fish-path)) -i
    status is-login; and set run $run -l
    # After the user's config, the hook, which may have been sourced by hand rather than from it.
    set run $run -C \''functions -q __bird_recorder; or source "$BIRD_REC_HOOK"; set -e BIRD_REC_HOOK'\'
    BIRD_OUTPUT_LOG=$log BIRD_REC_HOOK=$__bird_install/$__bird_i_hooks/bird.fish script -q -f -a -e -O $log -c "$run"
    set -l st $status
    if test -s $log.starting
        command rm -f -- $log $log.starting
        __bird_rec_failed "script exited with status $st before the shell in it started"
        return 0
    end
    command rm -f -- $log.starting
    if not string match -q -- '*Script done*' (command tail -c 512 -- $log 2>/dev/null | string collect)
        __bird_rec_failed "the recorder (script) ended without its shell (status $st); this shell goes on"
        return 0
    end
    set -g fish_history ''
    # `exit` here would only end the file being sourced (fish's rule), and an `exit` from an event
    # handler exits 0: at its first prompt, before drawing it, the shell becomes an sh that exits
    # with the status.
    set -g __bird_rec_status $st
    function __bird_rec_exit --on-event fish_prompt
        exec sh -c "exit $__bird_rec_status"
    end
end

# ── Tab completion for bird: hooks/completions/bird.fish, in this install ──────────────────────
# (`bird hook fish | source` does not know it was not sourced: `bird hook fish` prints it after the hook.)
if string match -q -- '*bird.fish' (status filename); and test -r $__bird_install/$__bird_i_completion
    source $__bird_install/$__bird_i_completion
end

# Last: the shell that starts a recorder waits in it here, then exits with it.
__bird_recorder
