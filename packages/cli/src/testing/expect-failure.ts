import { expect } from 'vitest';
import { BirdError } from '@bird/core';

/** Runs `fn`, which must throw a BirdError, and returns it for the test to inspect. */
export function failure(fn: () => unknown): BirdError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(BirdError);
    return error as BirdError;
  }
  throw new Error('expected a failure');
}
