import {
  alertingOverrides,
  isPlaceholder,
  loadConfig,
  pagerProblems,
  readCdkJsonContext,
} from '../../../contracts';

describe('isPlaceholder', () => {
  it.each([
    'https://events.pagerduty.com/integration/REPLACE_ME/enqueue',
    'replace_me@acme-retail.io',
    'oncall@example.com',
    'oncall@team.example.net',
    'https://hooks.example.org/x',
    'https://localhost:8443/page',
    'pager@localhost',
  ])('%s is a placeholder', (value) => {
    expect(isPlaceholder(value)).toBe(true);
  });

  it.each([
    'https://events.pagerduty.com/integration/3f9c2a7d41b84e0c9d1e6a5b7c8d9e0f/enqueue',
    'oncall@acme-retail.io',
    'https://api.opsgenie.com/v1/json/amazonsns?apiKey=abc',
    'ops@myexample.com',
  ])('%s is a real subscription', (value) => {
    expect(isPlaceholder(value)).toBe(false);
  });
});

describe('alertingOverrides', () => {
  it('reads comma-separated lists from the context first, then the environment', () => {
    const context: Record<string, string> = { pagingEmails: 'a@acme-retail.io, b@acme-retail.io' };
    expect(
      alertingOverrides((key) => context[key], {
        PIPELINE_PAGING_EMAILS: 'ignored@acme-retail.io',
        PIPELINE_NON_PAGING_HTTPS_ENDPOINTS: 'https://chat.acme-retail.io/hook',
      }),
    ).toEqual({
      paging: { emails: ['a@acme-retail.io', 'b@acme-retail.io'] },
      nonPaging: { httpsEndpoints: ['https://chat.acme-retail.io/hook'] },
    });
  });

  it('gives nothing when neither sets a value', () => {
    expect(alertingOverrides(() => undefined, {})).toBeUndefined();
  });
});

describe('pagerProblems', () => {
  const context = readCdkJsonContext();

  it('is empty for a stage that does not require a pager', () => {
    expect(pagerProblems(loadConfig('dev', context))).toEqual([]);
  });

  it('names each placeholder of prod\u2019s cdk.json and how to fill it', () => {
    const problems = pagerProblems(loadConfig('prod', context));
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(
      /^alerting\.paging\.httpsEndpoints\[0\] = ".*REPLACE_ME.*"; allowed a real subscription/,
    );
    expect(problems[1]).toMatch(
      /^alerting\.paging\.emails\[0\] = "oncall@example\.com"; allowed a real subscription/,
    );
    for (const problem of problems) expect(problem).toContain('cdk.json stages.prod');
  });
});
