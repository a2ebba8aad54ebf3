# A zsh that bird's output recorder starts (hooks/bird.zsh, __bird_recorder) has ZDOTDIR set to
# this folder, so that after the user's own startup files it reads the hook even when the user
# sourced the hook by hand rather than from .zshrc. Each file here reads the user's file of the
# same name with ZDOTDIR as the user has it (a .zshenv may change it), and .zshrc hands ZDOTDIR
# back for good, so .zlogin, .zlogout and every shell started later read the user's own.
# Top level, not a function: the user's files must set globals as they do when zsh reads them.
__bird_rec_ours=$ZDOTDIR
if [[ -n ${BIRD_REC_ZDOTDIR-} ]]; then ZDOTDIR=$BIRD_REC_ZDOTDIR; else unset ZDOTDIR; fi
[[ -r ${ZDOTDIR:-$HOME}/.zshenv ]] && source ${ZDOTDIR:-$HOME}/.zshenv
BIRD_REC_ZDOTDIR=${ZDOTDIR-}
ZDOTDIR=$__bird_rec_ours
unset __bird_rec_ours
