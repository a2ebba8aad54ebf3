# shellcheck shell=bash
# Tab completion for bird in bash. hooks/bird.bash loads it; without the hook:
# `source <(bird completion bash)`. The words come from `bird __complete`, so they are always the
# installed bird's commands, flags, values and remote names.

__bird_complete() {
  local line
  local -a lines
  mapfile -t lines < <(bird __complete "$COMP_CWORD" "${COMP_WORDS[@]}" 2>/dev/null)
  COMPREPLY=()
  if [[ ${lines[0]-} == :files ]]; then
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen -f -- "${COMP_WORDS[COMP_CWORD]}")
    return 0
  fi
  for line in "${lines[@]}"; do COMPREPLY+=("${line%%$'\t'*}"); done
}
complete -F __bird_complete bird
