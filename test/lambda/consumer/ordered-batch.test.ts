import { processInKeyOrder } from '../../../lambda/consumer/ordered-batch';

interface Item {
  readonly partitionKey: string;
  readonly sequenceNumber: string;
}

function items(keys: readonly string[], sequenceNumbers?: readonly string[]): Item[] {
  return keys.map((partitionKey, index) => ({
    partitionKey,
    sequenceNumber: sequenceNumbers?.[index] ?? String(100 + index),
  }));
}

/** A processor whose calls finish only when the test says so, recording start/finish order. */
class ControlledProcessor {
  readonly log: string[] = [];
  private readonly pending = new Map<string, { resolve: () => void; reject: (error: Error) => void }>();

  readonly process = (item: Item): Promise<void> => {
    this.log.push(`start ${item.sequenceNumber}`);
    return new Promise<void>((resolve, reject) => {
      this.pending.set(item.sequenceNumber, {
        resolve: () => {
          this.log.push(`end ${item.sequenceNumber}`);
          resolve();
        },
        reject: (error) => {
          this.log.push(`fail ${item.sequenceNumber}`);
          reject(error);
        },
      });
    });
  };

  running(): string[] {
    return [...this.pending.keys()];
  }

  async finish(sequenceNumber: string, error?: Error): Promise<void> {
    const call = this.pending.get(sequenceNumber);
    if (!call) throw new Error(`${sequenceNumber} is not running; running: ${this.running().join(', ')}`);
    this.pending.delete(sequenceNumber);
    if (error) call.reject(error);
    else call.resolve();
    await flushMicrotasks();
  }
}

async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

describe('processInKeyOrder', () => {
  test('processes every record once and reports nothing to retry when all succeed', async () => {
    const seen: string[] = [];

    const result = await processInKeyOrder(items(['a', 'b', 'a', 'c']), { maxConcurrentKeys: 2 }, (item) => {
      seen.push(item.sequenceNumber);
      return Promise.resolve();
    });

    expect(seen.sort()).toEqual(['100', '101', '102', '103']);
    expect(result).toEqual({ retryFrom: undefined, failures: [], completed: 4, notStarted: 0 });
  });

  test("never starts a key's next record before its previous one finished, while other keys run", async () => {
    // Prepare: key a has 100, 102; key b has 101
    const processor = new ControlledProcessor();
    const run = processInKeyOrder(items(['a', 'b', 'a']), { maxConcurrentKeys: 4 }, processor.process);
    await flushMicrotasks();

    // Assess: both keys started, a's second record waits
    expect(processor.running().sort()).toEqual(['100', '101']);

    // Act: finishing b does not start a's second record
    await processor.finish('101');
    expect(processor.running()).toEqual(['100']);

    await processor.finish('100');
    expect(processor.running()).toEqual(['102']);
    await processor.finish('102');

    // Assess
    await expect(run).resolves.toMatchObject({ retryFrom: undefined, completed: 3 });
    expect(processor.log.indexOf('end 100')).toBeLessThan(processor.log.indexOf('start 102'));
  });

  test('runs at most maxConcurrentKeys keys at once, starting keys in order of their first record', async () => {
    const processor = new ControlledProcessor();
    const run = processInKeyOrder(items(['a', 'b', 'c', 'd']), { maxConcurrentKeys: 2 }, processor.process);
    await flushMicrotasks();

    expect(processor.running()).toEqual(['100', '101']);
    await processor.finish('101');
    expect(processor.running()).toEqual(['100', '102']);
    await processor.finish('100');
    await processor.finish('102');
    await processor.finish('103');
    await run;
  });

  test('starts the keys with the most records first, ties in the order of their first record', async () => {
    // Prepare: a = 100; b = 101, 103, 104; c = 102, 105; d = 106
    const processor = new ControlledProcessor();
    const run = processInKeyOrder(
      items(['a', 'b', 'c', 'b', 'b', 'c', 'd']),
      { maxConcurrentKeys: 1 },
      processor.process,
    );
    const started: string[] = [];
    for (const next of ['101', '103', '104', '102', '105', '100', '106']) {
      await flushMicrotasks();
      started.push(...processor.running());
      await processor.finish(next);
    }

    // Assess: b (3 records), then c (2), then a and d (1 each, a first)
    expect(started).toEqual(['101', '103', '104', '102', '105', '100', '106']);
    await expect(run).resolves.toMatchObject({ completed: 7, retryFrom: undefined });
  });

  test('asks a function for the number of keys as records complete: more keys start as it grows', async () => {
    // Prepare: slow start allows one key, then three
    const processor = new ControlledProcessor();
    let allowed = 1;
    const run = processInKeyOrder(
      items(['a', 'b', 'c', 'd']),
      { maxConcurrentKeys: () => allowed },
      processor.process,
    );
    await flushMicrotasks();
    expect(processor.running()).toEqual(['100']);

    // Act
    allowed = 3;
    await processor.finish('100');

    // Assess: the runner that finished takes the next key, and two more start beside it
    expect(processor.running()).toEqual(['101', '102', '103']);
    await Promise.all(['101', '102', '103'].map((sequenceNumber) => processor.finish(sequenceNumber)));
    await expect(run).resolves.toMatchObject({ completed: 4, retryFrom: undefined });
  });

  test('asks the number again when a record calls reconsider, without waiting for one to complete', async () => {
    // Prepare: one key allowed until the first record, still running, says more may run
    const processor = new ControlledProcessor();
    let allowed = 1;
    const run = processInKeyOrder(
      items(['a', 'b', 'c', 'd']),
      { maxConcurrentKeys: () => allowed },
      (item, reconsider) => {
        const done = processor.process(item);
        if (item.sequenceNumber === '100') {
          allowed = 3;
          reconsider();
        }
        return done;
      },
    );
    await flushMicrotasks();

    // Assess: three keys run while the first is still running
    expect(processor.running()).toEqual(['100', '101', '102']);
    await Promise.all(['100', '101', '102'].map((sequenceNumber) => processor.finish(sequenceNumber)));
    await processor.finish('103');
    await expect(run).resolves.toMatchObject({ completed: 4, retryFrom: undefined });
  });

  test('never cuts a running key short when the number drops: finished keys are not followed until fewer run', async () => {
    // Prepare: a = 100, 104; b = 101; c = 102; d = 103, with three keys allowed at first
    const processor = new ControlledProcessor();
    let allowed = 3;
    const run = processInKeyOrder(
      items(['a', 'b', 'c', 'd', 'a']),
      { maxConcurrentKeys: () => allowed },
      processor.process,
    );
    await flushMicrotasks();
    expect(processor.running()).toEqual(['100', '101', '102']);

    // Act: one key allowed from now on
    allowed = 1;
    await processor.finish('101');
    await processor.finish('102');

    // Assess: key a goes on with its next record; d waits until a is the only key left running
    expect(processor.running()).toEqual(['100']);
    await processor.finish('100');
    expect(processor.running()).toEqual(['104']);
    await processor.finish('104');
    expect(processor.running()).toEqual(['103']);
    await processor.finish('103');
    await expect(run).resolves.toMatchObject({ completed: 5, retryFrom: undefined });
  });

  test('stops at the first failure: no new record starts, running ones finish, the failed key goes no further', async () => {
    // Prepare: a = 100, 103; b = 101, 104; c = 102
    const processor = new ControlledProcessor();
    const run = processInKeyOrder(
      items(['a', 'b', 'c', 'a', 'b']),
      { maxConcurrentKeys: 2 },
      processor.process,
    );
    await flushMicrotasks();
    expect(processor.running()).toEqual(['100', '101']);

    // Act: b's first record fails while a's first is still running
    const failure = new Error('503');
    await processor.finish('101', failure);
    expect(processor.running()).toEqual(['100']);
    await processor.finish('100');

    // Assess: a's second record and key c never started; b's second never started
    const result = await run;
    expect(processor.log).toEqual(['start 100', 'start 101', 'fail 101', 'end 100']);
    expect(result).toEqual({
      retryFrom: '101',
      failures: [{ record: { partitionKey: 'b', sequenceNumber: '101' }, error: failure }],
      completed: 1,
      notStarted: 3,
    });
  });

  test('reports the lowest of several failed records', async () => {
    // Prepare: key a (100) is still running when key b (101) fails; key c (102) never starts,
    // and key a's second record (103) never starts either.
    const processor = new ControlledProcessor();
    const run = processInKeyOrder(items(['a', 'b', 'c', 'a']), { maxConcurrentKeys: 2 }, processor.process);
    await flushMicrotasks();
    await processor.finish('101', new Error('timeout'));
    await processor.finish('100', new Error('also failing'));

    const result = await run;

    expect(result.retryFrom).toBe('100');
    expect(result.failures.map((failure) => failure.record.sequenceNumber)).toEqual(['101', '100']);
  });

  test('reports a record never started when it has the lowest sequence number', async () => {
    // Key a: 100 and 300 (a long lane), key b: 200 fails while a's 100 is fine; a's 300 never starts but
    // key c's 150 sits between them and never started.
    const processor = new ControlledProcessor();
    const batch = items(['a', 'b', 'c', 'a'], ['100', '200', '150', '300']);
    const run = processInKeyOrder(batch, { maxConcurrentKeys: 2 }, processor.process);
    await flushMicrotasks();
    await processor.finish('100');
    expect(processor.running().sort()).toEqual(['200', '300']);
    await processor.finish('200', new Error('429'));
    await processor.finish('300');

    expect((await run).retryFrom).toBe('150');
  });

  test('compares sequence numbers as integers, not strings', async () => {
    // "9" > "10" as strings; as numbers the record of 10 comes later.
    const batch = items(['a', 'b'], ['9', '10']);

    const result = await processInKeyOrder(batch, { maxConcurrentKeys: 2 }, () =>
      Promise.reject(new Error('down')),
    );

    expect(result.retryFrom).toBe('9');
  });

  test('compares 56-digit sequence numbers exactly', async () => {
    const low = '49590338271490256608559692538361571095921575989136588898';
    const high = '49590338271490256608559692538361571095921575989136588899';
    const batch = items(['a', 'b'], [high, low]);

    const result = await processInKeyOrder(batch, { maxConcurrentKeys: 2 }, () =>
      Promise.reject(new Error('down')),
    );

    expect(result.retryFrom).toBe(low);
  });

  test('stops without a failure when mayStart says no, reporting the first record not started', async () => {
    let budget = 2;
    const seen: string[] = [];

    const result = await processInKeyOrder(
      items(['a', 'b', 'c', 'd']),
      { maxConcurrentKeys: 1, mayStart: () => budget-- > 0 },
      (item) => {
        seen.push(item.sequenceNumber);
        return Promise.resolve();
      },
    );

    expect(seen).toEqual(['100', '101']);
    expect(result).toEqual({ retryFrom: '102', failures: [], completed: 2, notStarted: 2 });
  });

  test('handles an empty batch', async () => {
    const result = await processInKeyOrder([], { maxConcurrentKeys: 8 }, () => Promise.resolve());

    expect(result).toEqual({ retryFrom: undefined, failures: [], completed: 0, notStarted: 0 });
  });
});
