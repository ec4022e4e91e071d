import fc from 'fast-check';
import {
  KeyEvidence,
  keysQuarantinedPerInvocationInOutage,
  type KeyEvidenceSettings,
} from '../../../../lambda/consumer/quarantine';

/*
 * The key-specific rule of the quarantine and its bound in an outage (docs/architecture.md, "Per-key
 * quarantine", "When"), without I/O.
 */

const SETTINGS: KeyEvidenceSettings = { failureRateThreshold: 0.5 };

/** K fails `times` calls in a row, its first attempt beginning now. */
function fails(evidence: KeyEvidence, key: string, times: number): void {
  for (let i = 0; i < times; i++) {
    evidence.began(key);
    evidence.add(key, true);
  }
}

describe('KeyEvidence', () => {
  it("takes a failure for the key's own when another key is delivered while it fails", () => {
    const evidence = new KeyEvidence(SETTINGS);
    evidence.began('K');
    evidence.add('a', false);
    fails(evidence, 'K', 3);

    expect(evidence.isKeySpecific('K')).toBe(true);
  });

  it("counts a healthy key's calls that ended before a hanging call of the key timed out", () => {
    // GIVEN K's first call hangs until its timeout while another key is delivered
    const evidence = new KeyEvidence(SETTINGS);
    evidence.began('K');
    evidence.began('a');
    evidence.add('a', false);
    evidence.add('K', true);
    fails(evidence, 'K', 2);

    expect(evidence.isKeySpecific('K')).toBe(true);
  });

  it("ignores other keys' calls that ended before the key's first attempt began (replays, an earlier lane)", () => {
    const evidence = new KeyEvidence(SETTINGS);
    for (let i = 0; i < 20; i++) {
      evidence.began('hot');
      evidence.add('hot', false);
    }
    fails(evidence, 'K', 3);

    expect(evidence.isKeySpecific('K')).toBe(false);
  });

  it('has no evidence without a delivered call of another key, however many of the key itself', () => {
    const evidence = new KeyEvidence(SETTINGS);
    for (let i = 0; i < 5; i++) {
      evidence.began('K');
      evidence.add('K', i % 2 === 0);
    }

    expect(evidence.isKeySpecific('K')).toBe(false);
  });

  it('weighs keys, not calls: two stuck keys among six healthy ones each see one failing key of seven', () => {
    const evidence = new KeyEvidence(SETTINGS);
    evidence.began('K');
    evidence.began('J');
    for (let i = 0; i < 6; i++) evidence.add(`ok-${i}`, false);
    fails(evidence, 'J', 3);
    fails(evidence, 'K', 3);

    expect(evidence.isKeySpecific('K')).toBe(true);
    expect(evidence.isKeySpecific('J')).toBe(true);
  });

  it('refuses once the other keys failing are half the trip threshold of the keys seen or more', () => {
    // GIVEN 1 failing key of 4 other keys seen (25 % = 0.5 x 0.5)
    const evidence = new KeyEvidence(SETTINGS);
    evidence.began('K');
    evidence.began('J');
    for (let i = 0; i < 3; i++) evidence.add(`ok-${i}`, false);
    fails(evidence, 'J', 3);

    // THEN K is not taken for a key of its own, while J, whose own failures do not count, is
    expect(evidence.isKeySpecific('K')).toBe(false);
    expect(evidence.isKeySpecific('J')).toBe(true);
  });

  it('weighs each other key by its latest call: a key that failed and then was delivered counts as delivered', () => {
    const evidence = new KeyEvidence(SETTINGS);
    evidence.began('K');
    evidence.add('a', true);
    evidence.add('a', false);
    fails(evidence, 'K', 3);

    expect(evidence.isKeySpecific('K')).toBe(true);
  });

  it('states the bound: the lanes in flight, none with one key at a time', () => {
    expect(keysQuarantinedPerInvocationInOutage({ maxConcurrentKeys: 16 })).toBe(16);
    expect(keysQuarantinedPerInvocationInOutage({ maxConcurrentKeys: 2 })).toBe(2);
    expect(keysQuarantinedPerInvocationInOutage({ maxConcurrentKeys: 1 })).toBe(0);
  });

  it('lets an outage quarantine no more keys than the bound, whatever came before it and in whatever order lanes run', () => {
    // A step of the invocation: a key's lane begins (if a lane is free), one of its calls ends, or it ends.
    const step = fc.record({
      kind: fc.constantFrom('begin', 'call', 'end'),
      key: fc.integer({ min: 0, max: 30 }),
      failed: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.record({
          failureRateThreshold: fc.integer({ min: 1, max: 100 }).map((percent) => percent / 100),
          failedAttempts: fc.integer({ min: 1, max: 10 }),
          maxConcurrentKeys: fc.integer({ min: 1, max: 8 }),
        }),
        fc.array(step, { maxLength: 200 }), // before the onset: calls delivered or failed
        fc.array(step, { maxLength: 300 }), // after it every call fails
        (settings, before, after) => {
          const evidence = new KeyEvidence(settings);
          const inFlight = new Set<string>();
          const laneDone = new Set<string>();
          const failures = new Map<string, number>();
          let enteredInOutage = 0;
          const run = (steps: typeof before, outage: boolean) => {
            for (const { kind, key: index, failed } of steps) {
              const key = `k${index}`;
              if (kind === 'begin') {
                // a key's records run in one lane, at most maxConcurrentKeys lanes at a time
                if (laneDone.has(key) || inFlight.has(key) || inFlight.size >= settings.maxConcurrentKeys)
                  continue;
                inFlight.add(key);
                evidence.began(key);
              } else if (!inFlight.has(key)) {
                continue;
              } else if (kind === 'end') {
                inFlight.delete(key);
                laneDone.add(key);
              } else {
                const callFailed = outage || failed;
                evidence.add(key, callFailed);
                if (!callFailed) continue;
                const count = (failures.get(key) ?? 0) + 1;
                failures.set(key, count);
                // the gate asks after each failedAttempts-th failure of the key's record
                if (count % settings.failedAttempts === 0 && evidence.isKeySpecific(key)) {
                  if (outage) enteredInOutage++;
                  inFlight.delete(key); // its records go to the queue without a call
                  laneDone.add(key);
                }
              }
            }
          };
          run(before, false);
          run(after, true);
          expect(enteredInOutage).toBeLessThanOrEqual(keysQuarantinedPerInvocationInOutage(settings));
        },
      ),
      { numRuns: 500 },
    );
  });
});
