/** An error caused by the user's input (a bad flag, config or file): shown without a stack trace. */
export class UserError extends Error {
  override name = 'UserError';
}
