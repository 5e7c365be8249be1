/** An error caused by the user's input (a bad flag, config or file): shown without a stack trace. */
export class UserError extends Error {
  override name = 'UserError';
}

/** A run that failed for a reason the user can act on (e.g. training diverged): exit code 1, no stack trace. */
export class RunFailure extends Error {
  override name = 'RunFailure';
}
