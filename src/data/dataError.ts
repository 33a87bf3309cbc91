import { ConfigError } from '../config/validate.ts';

/**
 * A dataset file that is missing, misplaced or not what the dataset's known shape says. It is
 * the user's to fix (fetch or reinstall the data), so it is a ConfigError: the CLI prints one line
 * and exits 2. The message always starts with the file (or folder) it is about.
 */
export class DataError extends ConfigError {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'DataError';
  }
}

/** The way out for a user who really has a partial copy; appended to every "too few records" error. */
export const PARTIAL_HINT = 'if you mean to train on a partial copy, say so with "allowPartial": true in the dataset spec';
