import type { BirdLayout } from '@bird/core';
import { seedEmptyIndex } from '@bird/history-index';

/** The history index of a new store starts empty (see seedEmptyIndex); never a reason to fail a capture. */
export function seedIndex(layout: BirdLayout): void {
  try {
    seedEmptyIndex(layout);
  } catch {
    // the first reader rebuilds it instead
  }
}
