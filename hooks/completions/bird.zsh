#compdef bird
# Tab completion for bird in zsh. hooks/bird.zsh loads it; without the hook:
# `source <(bird completion zsh)` after compinit. The words come from `bird __complete`, so they
# are always the installed bird's commands, flags, values and remote names.

_bird() {
  # (No emulate here: the completion system has set the options its functions need.)
  local -a lines candidates
  local line
  lines=(${(f)"$(bird __complete $(( CURRENT - 1 )) "${words[@]}" 2>/dev/null)"})
  if [[ ${lines[1]-} == :files ]]; then
    _files
    return
  fi
  for line in $lines; do
    # _describe reads word:description, so a colon in the word is escaped.
    if [[ $line == *$'\t'* ]]; then
      candidates+=("${${line%%$'\t'*}//:/\\:}:${line#*$'\t'}")
    else
      candidates+=("${line//:/\\:}")
    fi
  done
  _describe -t bird-words bird candidates
}

if (( ${+functions[compdef]} )); then
  compdef _bird bird
else
  # compinit has not run yet (it usually comes later in ~/.zshrc): register at the first prompt
  # after it did. Until then each prompt costs one lookup; a zsh without compinit has no
  # completion to add to. Defined under sticky `emulate -R zsh`, as the hook's functions are, so
  # the user's options (xtrace, ksh_arrays, ...) neither apply to it nor change.
  emulate -R zsh -c '__bird_compdef() {
    local st=$?   # returned as it came, for the precmd functions after this one
    (( ${+functions[compdef]} )) || return $st
    compdef _bird bird
    add-zsh-hook -d precmd __bird_compdef
    return $st
  }'
  autoload -Uz add-zsh-hook
  add-zsh-hook precmd __bird_compdef
fi
