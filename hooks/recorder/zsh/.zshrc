# A zsh under bird's output recorder: ZDOTDIR goes back to the user's, the user's .zshrc is read,
# then the hook unless .zshrc sourced it (see .zshenv beside this file).
if [[ -n ${BIRD_REC_ZDOTDIR-} ]]; then ZDOTDIR=$BIRD_REC_ZDOTDIR; else unset ZDOTDIR; fi
unset BIRD_REC_ZDOTDIR
[[ -r ${ZDOTDIR:-$HOME}/.zshrc ]] && source ${ZDOTDIR:-$HOME}/.zshrc
if (( ! ${+functions[__bird_recorder]} )) && [[ -r ${BIRD_REC_HOOK-} ]]; then
  source $BIRD_REC_HOOK
fi
unset BIRD_REC_HOOK
