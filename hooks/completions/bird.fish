# Tab completion for bird in fish. hooks/bird.fish loads it; without the hook:
# `bird completion fish | source`. The words come from `bird __complete`, so they are always the
# installed bird's commands, flags, values and remote names.

function __bird_complete_words
    set -l tokens (commandline -opc)
    set -l current (commandline -ct)
    set -l lines (bird __complete (count $tokens) $tokens $current 2>/dev/null)
    if test "$lines[1]" = :files
        __fish_complete_path $current
        return
    end
    for line in $lines
        echo $line
    end
end
complete -c bird -f -a '(__bird_complete_words)'
