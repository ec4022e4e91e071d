import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** DynamoDB traffic of the breaker store: commands sent, and HTTP attempts (commands plus retries). */
export interface RequestCounts {
  commands: number;
  attempts: number;
  readonly byCommand: Record<string, number>;
}

export function emptyCounts(): RequestCounts {
  return { commands: 0, attempts: 0, byCommand: {} };
}

/**
 * Counts what the breaker store sends through `client`, with SDK middleware: each command at the
 * initialize step (once per `send`), each HTTP attempt at the deserialize step (below the retries).
 * @returns the same client, and the live counts; `reset()` zeroes them between scenarios
 */
export function countRequests(client: DynamoDBClient): {
  api: DynamoDBClient;
  counts: RequestCounts;
  reset(): void;
} {
  let counts = emptyCounts();
  client.middlewareStack.add(
    (next, context) => (args) => {
      counts.commands++;
      const name = (context.commandName ?? 'unknown').replace(/Command$/, '');
      counts.byCommand[name] = (counts.byCommand[name] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'benchCountCommands' },
  );
  client.middlewareStack.add(
    (next) => (args) => {
      counts.attempts++;
      return next(args);
    },
    { step: 'deserialize', name: 'benchCountAttempts' },
  );
  return {
    api: client,
    get counts(): RequestCounts {
      return counts;
    },
    reset(): void {
      counts = emptyCounts();
    },
  };
}
