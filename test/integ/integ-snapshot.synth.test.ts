import { readIntegSnapshot, synthesizeIntegTemplates } from './integ-snapshot';

/*
 * The offline half of the integration test (CI has no AWS account): the integ app's templates, the
 * stage's and the assertions', must match the committed snapshot. A change in lib/ that changes what
 * the integ stage deploys fails here until `npm run integ:update` rewrites the snapshot (and, ideally,
 * `npm run integ` has run against an account), docs/deploy.md "Integration test".
 */
const SYNTH_TIMEOUT_MILLIS = 300_000;

test(
  'the integ app synthesizes to the committed snapshot (asset hashes masked)',
  () => {
    const templates = synthesizeIntegTemplates();
    expect(Object.keys(templates).length).toBeGreaterThanOrEqual(2);
    expect(templates).toEqual(readIntegSnapshot());
  },
  SYNTH_TIMEOUT_MILLIS,
);
