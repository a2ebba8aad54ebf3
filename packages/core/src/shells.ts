/** The shells BIRD has hooks for: `bird hook SHELL`, `bird-capture --shell`, the spool record. */
export const SHELLS = ['zsh', 'bash', 'fish'] as const;
export type ShellName = (typeof SHELLS)[number];

/** Narrows a string to a shell BIRD knows. */
export function isShellName(text: string): text is ShellName {
  return (SHELLS as readonly string[]).includes(text);
}
