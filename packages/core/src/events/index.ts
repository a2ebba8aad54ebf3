// `@bird/core/events`: apart from core's index, so that capture's start never loads the parsers.
export { planEvents, type StoredStream } from './event-rows.ts';
export { parseOutput, commandWords, PARSER_BUDGET_MS, EVENTS_MAX_PER_OUTPUT, type ParseOutcome } from './parse-output.ts';
export type { ParsedEvent, EventKind, Severity, TestStatus } from './parsed-event.ts';
