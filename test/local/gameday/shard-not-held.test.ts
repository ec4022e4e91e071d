import { judgeShardNotHeld, shardNotHeldBound } from '../../../local/gameday/shard-not-held';
import type { LedgerEntry } from '../../../local/gameday/ledger';
import type { DownstreamCall } from '../../../local/downstream';

const QUARANTINE = { enabled: true, failedAttempts: 3, retryPauseMillis: 500, maxKeys: 50 };

describe('shardNotHeldBound', () => {
  it('adds the in-place attempts, their pauses, the fence, the batching window and the polling', () => {
    const bound = shardNotHeldBound(
      { quarantine: QUARANTINE, downstreamTimeoutMillis: 500, maxBatchingWindowSeconds: 0 },
      250,
      1_000,
    );
    expect(bound).toEqual({
      attemptsMillis: 1_500,
      pausesMillis: 1_000,
      fenceMillis: 250,
      batchingWindowMillis: 0,
      pollingMillis: 2_000,
      totalMillis: 4_750,
    });
  });
});

describe('judgeShardNotHeld', () => {
  const START = 1_000_000;
  const stuck = { startMillis: 10_000, endMillis: 30_000, key: 'k' };
  const entry = (eventId: string, key: string, shardId: string, storedAt: number): LedgerEntry => ({
    event: { eventId, partitionKey: key, seq: 1, data: '' },
    position: { shardId, sequenceNumber: '1' },
    storedAtMillis: START + storedAt,
  });
  const accepted = (eventId: string, at: number): DownstreamCall => ({
    eventId,
    atMillis: START + at,
    status: 200,
  });
  const judge = (entries: LedgerEntry[], calls: DownstreamCall[]) =>
    judgeShardNotHeld({
      stuck,
      steady: { startMillis: 0, endMillis: 10_000 },
      startedAtMillis: START,
      entries,
      calls,
      boundMillis: 4_000,
      endedAtMillis: START + 100_000,
    });

  it('holds when the stuck key adds at most the bound to the lag the steady phase had', () => {
    const result = judge(
      [
        entry('cold', 'c', 's1', 1_000),
        entry('warm', 'c', 's1', 8_000),
        entry('k1', 'k', 's0', 11_000),
        entry('x1', 'a', 's0', 12_000),
        entry('y1', 'b', 's1', 12_000),
      ],
      [accepted('cold', 9_000), accepted('warm', 11_000), accepted('x1', 18_000), accepted('y1', 13_000)],
    );
    // x1 waited 6 s; the steady phase's second half lagged 3 s (the cold start before it does not count)
    expect(result).toMatchObject({ judged: 1, late: 0, worstWaitMillis: 6_000, baselineWaitMillis: 3_000 });
  });

  it('breaks when another key on the stuck shard waits as long as the key fails (the shard held)', () => {
    const result = judge(
      [
        entry('k1', 'k', 's0', 11_000),
        entry('x1', 'a', 's0', 12_000),
        entry('x2', 'a', 's0', 13_000),
        entry('y1', 'b', 's1', 12_000),
      ],
      [accepted('x1', 31_000), accepted('y1', 13_000)],
    );
    expect(result.late).toBe(2);
    expect(result.lateExamples).toEqual([
      { eventId: 'x1', waitedMillis: 19_000 },
      { eventId: 'x2', waitedMillis: null },
    ]);
  });

  it('judges only other keys, good events, stored while the key was stuck', () => {
    const result = judge(
      [
        entry('k1', 'k', 's0', 11_000),
        entry('k2', 'k', 's0', 12_000),
        entry('early', 'a', 's0', 5_000),
        entry('late', 'a', 's0', 31_000),
        {
          ...entry('bad', 'a', 's0', 12_000),
          event: { eventId: 'bad', partitionKey: 'a', poison: 'invalid', data: '' },
        },
      ],
      [],
    );
    expect(result.judged).toBe(0);
  });
});
