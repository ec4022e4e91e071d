import { processIo } from './io';
import type { CommandIo } from './io';
import { EXIT, UsageError } from './usage-error';

/**
 * Runs a command's main: a UsageError prints the message and the usage and exits 2; any other error
 * prints its name and message and exits 1; otherwise exits with the code main returns.
 */
export function runCommand(
  usage: string,
  main: (argv: readonly string[], io: CommandIo) => Promise<number>,
): void {
  main(process.argv.slice(2), processIo()).then(
    (code) => {
      process.exitCode = code;
      // Signal handlers and idle SDK sockets must not keep a finished command alive.
      process.exit(code);
    },
    (error: unknown) => {
      if (error instanceof UsageError) {
        process.stderr.write(`error: ${error.message}\n\n${usage}\n`);
        process.exitCode = EXIT.usage;
        return;
      }
      process.stderr.write(
        `error: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`,
      );
      process.exitCode = EXIT.attention;
    },
  );
}
