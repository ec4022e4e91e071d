import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** DynamoDB traffic seen at one client: commands sent, and HTTP attempts (commands plus SDK retries). */
export interface RequestCounts {
  commands: number;
  attempts: number;
  readonly byCommand: Record<string, number>;
}

export function emptyCounts(): RequestCounts {
  return { commands: 0, attempts: 0, byCommand: {} };
}

/**
 * Counts what `client` sends, with two SDK middlewares: one at the initialize step (once per command)
 * and one at the deserialize step, which runs below the retry middleware (once per HTTP attempt).
 * @returns the live counts; `reset()` zeroes them between scenarios
 */
export function countRequests(client: DynamoDBClient): { counts: RequestCounts; reset(): void } {
  let counts = emptyCounts();
  const view = {
    get counts(): RequestCounts {
      return counts;
    },
    reset(): void {
      counts = emptyCounts();
    },
  };
  client.middlewareStack.add(
    (next, context) => (args) => {
      const name = context.commandName ?? 'unknown';
      counts.commands++;
      counts.byCommand[name] = (counts.byCommand[name] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'benchCommandCounter' },
  );
  client.middlewareStack.add(
    (next) => (args) => {
      counts.attempts++;
      return next(args);
    },
    { step: 'deserialize', name: 'benchAttemptCounter' },
  );
  return view;
}
