/** Bad command-line input: the command prints it with its usage and exits with {@link EXIT.usage}. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Exit codes shared by every ops command. */
export const EXIT = {
  /** Everything asked for was done. */
  ok: 0,
  /** The command ran but something needs attention (a message kept, an alarm firing, an error). */
  attention: 1,
  /** Bad options: nothing was done. */
  usage: 2,
  /** Stopped by SIGINT/SIGTERM; progress is saved. 128 + SIGINT, as shells report it. */
  interrupted: 130,
} as const;
