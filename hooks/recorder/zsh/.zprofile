# A login zsh under bird's output recorder: the user's .zprofile (see .zshenv beside this file).
__bird_rec_ours=$ZDOTDIR
if [[ -n ${BIRD_REC_ZDOTDIR-} ]]; then ZDOTDIR=$BIRD_REC_ZDOTDIR; else unset ZDOTDIR; fi
[[ -r ${ZDOTDIR:-$HOME}/.zprofile ]] && source ${ZDOTDIR:-$HOME}/.zprofile
BIRD_REC_ZDOTDIR=${ZDOTDIR-}
ZDOTDIR=$__bird_rec_ours
unset __bird_rec_ours
