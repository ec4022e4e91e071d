import type { DynamoDbApi } from '../lambda/shared';

/** DynamoDB traffic of the breaker store: operations called, and HTTP attempts (operations plus retries). */
export interface RequestCounts {
  commands: number;
  attempts: number;
  readonly byCommand: Record<string, number>;
}

export function emptyCounts(): RequestCounts {
  return { commands: 0, attempts: 0, byCommand: {} };
}

/**
 * Counts what the breaker store sends: each operation called on the API, and each HTTP attempt seen
 * by the `fetch` the API is built with (below the client's retries).
 * @param build - builds the API with the counting fetch, e.g. a DynamoDbHttpApi as handler.ts does
 * @returns the counting API and the live counts; `reset()` zeroes them between scenarios
 */
export function countRequests(build: (fetch: typeof globalThis.fetch) => DynamoDbApi): {
  api: DynamoDbApi;
  counts: RequestCounts;
  reset(): void;
} {
  let counts = emptyCounts();
  const api = build((input, init) => {
    counts.attempts++;
    return fetch(input, init);
  });
  const counted =
    <Input, Output>(name: string, call: (input: Input) => Promise<Output>) =>
    (input: Input): Promise<Output> => {
      counts.commands++;
      counts.byCommand[name] = (counts.byCommand[name] ?? 0) + 1;
      return call(input);
    };
  return {
    api: {
      getItem: counted('GetItem', (input) => api.getItem(input)),
      updateItem: counted('UpdateItem', (input) => api.updateItem(input)),
      scan: counted('Scan', (input) => api.scan(input)),
    },
    get counts(): RequestCounts {
      return counts;
    },
    reset(): void {
      counts = emptyCounts();
    },
  };
}
