import type { PipelineConfig, StageOverrides, TopicSubscriptions } from './types';

/**
 * The pager check of stages that require one (`alerting.requirePager`, prod), and the command-line
 * and environment overrides of the alert subscriptions, so CI can synth prod without editing cdk.json
 * (which keeps placeholders, to show a newcomer the shape).
 */

/** What a placeholder subscription looks like; a stage that requires a pager refuses them. */
export const PLACEHOLDER_MARKERS = 'REPLACE_ME, example.com/.net/.org, localhost';
const PLACEHOLDER_TEXT = /REPLACE_ME/i;
const PLACEHOLDER_DOMAIN = /(^|\.)(example\.(com|net|org)|localhost)$/i;

/** The `-c KEY=VALUE` context keys (comma-separated lists) that replace a topic's subscriptions. */
export const ALERTING_CONTEXT_KEYS = {
  pagingEmails: 'pagingEmails',
  pagingHttpsEndpoints: 'pagingHttpsEndpoints',
  nonPagingEmails: 'nonPagingEmails',
  nonPagingHttpsEndpoints: 'nonPagingHttpsEndpoints',
} as const;

/** The environment variables (comma-separated lists) that do the same; the command line wins. */
export const ALERTING_ENV = {
  pagingEmails: 'PIPELINE_PAGING_EMAILS',
  pagingHttpsEndpoints: 'PIPELINE_PAGING_HTTPS_ENDPOINTS',
  nonPagingEmails: 'PIPELINE_NON_PAGING_EMAILS',
  nonPagingHttpsEndpoints: 'PIPELINE_NON_PAGING_HTTPS_ENDPOINTS',
} as const;

/** Whether an email address or URL is a placeholder rather than a real subscription. */
export function isPlaceholder(subscription: string): boolean {
  if (PLACEHOLDER_TEXT.test(subscription)) return true;
  const host = subscription.includes('://')
    ? safeHost(subscription)
    : subscription.slice(subscription.lastIndexOf('@') + 1);
  return PLACEHOLDER_DOMAIN.test(host);
}

function safeHost(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

/**
 * The alerting layer the command line (`-c pagingHttpsEndpoints=...`) or the environment
 * (`PIPELINE_PAGING_HTTPS_ENDPOINTS=...`) give, applied over the stage's cdk.json values; each key
 * given replaces that list. @returns undefined when neither gives any
 */
export function alertingOverrides(
  context: (key: string) => unknown,
  env: Readonly<Record<string, string | undefined>>,
): StageOverrides['alerting'] | undefined {
  const list = (key: keyof typeof ALERTING_CONTEXT_KEYS): string[] | undefined => {
    const raw = context(ALERTING_CONTEXT_KEYS[key]) ?? env[ALERTING_ENV[key]];
    if (raw === undefined) return undefined;
    if (Array.isArray(raw)) return raw.map((item) => String(item));
    if (typeof raw !== 'string') return [JSON.stringify(raw)];
    return raw
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  };
  const topic = (emails: string[] | undefined, httpsEndpoints: string[] | undefined) =>
    emails === undefined && httpsEndpoints === undefined
      ? undefined
      : { ...(emails && { emails }), ...(httpsEndpoints && { httpsEndpoints }) };
  const paging = topic(list('pagingEmails'), list('pagingHttpsEndpoints'));
  const nonPaging = topic(list('nonPagingEmails'), list('nonPagingHttpsEndpoints'));
  if (paging === undefined && nonPaging === undefined) return undefined;
  return { ...(paging && { paging }), ...(nonPaging && { nonPaging }) };
}

/**
 * Why the stage cannot deploy for lack of a pager: empty unless `alerting.requirePager` is set and the
 * paging topic has no subscription or a placeholder one. Each line names the key, the value and how
 * to fill it.
 */
export function pagerProblems(config: PipelineConfig): string[] {
  if (!config.alerting.requirePager) return [];
  const { paging } = config.alerting;
  const howToFill =
    `set alerting.paging.httpsEndpoints (a paging service's integration URL) and/or alerting.paging.emails ` +
    `in cdk.json stages.${config.stage}, or pass -c ${ALERTING_CONTEXT_KEYS.pagingHttpsEndpoints}=URL[,URL] / ` +
    `-c ${ALERTING_CONTEXT_KEYS.pagingEmails}=ADDRESS[,ADDRESS] (environment ${ALERTING_ENV.pagingHttpsEndpoints} / ` +
    `${ALERTING_ENV.pagingEmails})`;
  const problems: string[] = [];
  const placeholders = (key: keyof TopicSubscriptions) =>
    paging[key].forEach((value, i) => {
      if (isPlaceholder(value)) {
        problems.push(
          `alerting.paging.${key}[${i}] = ${JSON.stringify(value)}; allowed a real subscription, not a placeholder ` +
            `(${PLACEHOLDER_MARKERS}): stage ${config.stage} requires a pager (alerting.requirePager); ${howToFill}`,
        );
      }
    });
  placeholders('httpsEndpoints');
  placeholders('emails');
  if (paging.emails.length + paging.httpsEndpoints.length === 0) {
    problems.push(
      `alerting.paging = ${JSON.stringify(paging)}; allowed at least one subscription: stage ${config.stage} ` +
        `requires a pager (alerting.requirePager), and a paging topic nobody subscribes to pages nobody; ${howToFill}`,
    );
  }
  return problems;
}
