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

const SETTINGS: KeyEvidenceSettings = { minimumCalls: 20, failureRateThreshold: 0.5, failedAttempts: 3 };

describe('KeyEvidence', () => {
  it("takes a failure for the key's own when the other keys are delivered", () => {
    const evidence = new KeyEvidence(SETTINGS);
    evidence.add('a', false);
    evidence.add('K', true);
    evidence.add('K', true);
    evidence.add('K', true);

    expect(evidence.isKeySpecific('K')).toBe(true);
  });

  it('has no evidence without a delivered call of another key, however many of the key itself', () => {
    const evidence = new KeyEvidence(SETTINGS);
    for (let i = 0; i < 5; i++) evidence.add('K', i % 2 === 0);

    expect(evidence.isKeySpecific('K')).toBe(false);
  });

  it('refuses once the other keys fail at half the trip threshold or more', () => {
    // GIVEN 3 other keys' failures among 12 of their calls (25 % = 0.5 x 0.5)
    const evidence = new KeyEvidence(SETTINGS);
    for (let i = 0; i < 9; i++) evidence.add(`ok-${i}`, false);
    for (let i = 0; i < 3; i++) evidence.add('J', true);

    // THEN K is not taken for a key of its own, while J, whose own failures do not count, is
    expect(evidence.isKeySpecific('K')).toBe(false);
    expect(evidence.isKeySpecific('J')).toBe(true);
  });

  it('weighs only the last minimumCalls calls: old failures fall out', () => {
    const evidence = new KeyEvidence(SETTINGS);
    for (let i = 0; i < 10; i++) evidence.add('J', true);
    for (let i = 0; i < 20; i++) evidence.add(`ok-${i}`, false);

    expect(evidence.isKeySpecific('K')).toBe(true);
  });

  it('states the bound: 2 per invocation with the defaults, 1 with the local stage', () => {
    expect(keysQuarantinedPerInvocationInOutage(SETTINGS)).toBe(2);
    expect(keysQuarantinedPerInvocationInOutage({ ...SETTINGS, minimumCalls: 10 })).toBe(1);
  });

  it('lets an outage quarantine no more keys than the bound, whatever came before it and in whatever order keys fail', () => {
    fc.assert(
      fc.property(
        fc.record({
          minimumCalls: fc.integer({ min: 1, max: 60 }),
          failureRateThreshold: fc.integer({ min: 1, max: 100 }).map((percent) => percent / 100),
          failedAttempts: fc.integer({ min: 1, max: 20 }),
        }),
        // before the onset: any calls of any keys, delivered or failed
        fc.array(fc.record({ key: fc.integer({ min: 0, max: 40 }), failed: fc.boolean() }), {
          maxLength: 200,
        }),
        // after it every call fails: the keys whose calls come next, in any order
        fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 400 }),
        (settings, before, after) => {
          const evidence = new KeyEvidence(settings);
          for (const call of before) evidence.add(`k${call.key}`, call.failed);
          const failures = new Map<string, number>();
          const quarantined = new Set<string>();
          for (const index of after) {
            const key = `k${index}`;
            if (quarantined.has(key)) continue; // its records go to the queue without a call
            evidence.add(key, true);
            const failed = (failures.get(key) ?? 0) + 1;
            failures.set(key, failed);
            // the gate asks after each failedAttempts-th failure of the key's record
            if (failed % settings.failedAttempts === 0 && evidence.isKeySpecific(key)) quarantined.add(key);
          }
          expect(quarantined.size).toBeLessThanOrEqual(keysQuarantinedPerInvocationInOutage(settings));
        },
      ),
      { numRuns: 500 },
    );
  });
});
