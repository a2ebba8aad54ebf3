// Flag parsing lives in core, shared with bird-sync; the cli's tests of it stay beside the cli.
export { oneOf, parseFlags, type ParsedFlags } from '@bird/core';
