// The search modes and filters a person switches between (and `bird search --mode`/`--filter`
// take), apart from the search code: the command-line declarations read them on every `bird`
// start, which must not load the search and the history index for it.
export const SEARCH_MODES = ['fuzzy', 'prefix', 'fulltext'] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];

export const SCOPES = ['everywhere', 'host', 'session', 'directory', 'workspace'] as const;
export type Scope = (typeof SCOPES)[number];
