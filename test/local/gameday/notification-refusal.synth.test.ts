import type { CfnTemplate } from '../../../access';
import type { AlarmHistory } from '../../../local/alarms';
import { BreakerHistory } from '../../../local/gameday/breaker-history';
import type { ConsumerRig } from '../../../local/gameday/consumer-rig';
import { checkInvariants } from '../../../local/gameday/final-checks';
import type { RunRecord } from '../../../local/gameday/final-checks';
import { Ledger } from '../../../local/gameday/ledger';
import { refusedNotifications } from '../../../local/gameday/run-gameday';
import { buildScenario } from '../../../local/gameday/scenario';
import { LOCAL_TEMPLATE_TIMEOUT_MILLIS, localTemplate } from '../../helpers/local-template';

/*
 * Invariant 9 in local mode: an alarm pages only through hops the synthesized `local` template
 * allows. Breaking one hop (the paging topic's allow for CloudWatch) must fail on-call-hears-first
 * and name the refusal.
 */
const T0 = 1_000_000;
const PAGE = 'event-pipeline-local-pipeline-critical';
/** The one other alarm that pages on the paging topic directly (docs/runbook.md, failed batches: expiring). */
const EXPIRING = 'event-pipeline-local-failed-batches-expiring';
const CLOUDWATCH_ALLOW = 'AllowCloudWatchAlarmsOfThisAccountToPublish';

let template: CfnTemplate;

beforeAll(() => {
  template = localTemplate();
}, LOCAL_TEMPLATE_TIMEOUT_MILLIS);

interface TemplateResource {
  readonly Type: string;
  readonly Properties: {
    readonly TopicName?: string;
    readonly Topics?: readonly { readonly Ref: string }[];
    readonly PolicyDocument?: { Statement: { readonly Sid?: string }[] };
  };
}

/** The template with the CloudWatch allow dropped from the paging topic's policy. */
function withoutPagingAllow(original: CfnTemplate): CfnTemplate {
  const resources = JSON.parse(JSON.stringify(original.Resources)) as Record<string, TemplateResource>;
  const pagingTopicId = Object.keys(resources).find(
    (id) =>
      resources[id].Type === 'AWS::SNS::Topic' &&
      resources[id].Properties.TopicName === 'event-pipeline-local-paging',
  );
  for (const resource of Object.values(resources)) {
    if (resource.Type !== 'AWS::SNS::TopicPolicy') continue;
    const document = resource.Properties.PolicyDocument;
    if (resource.Properties.Topics?.[0]?.Ref !== pagingTopicId || document === undefined) continue;
    document.Statement = document.Statement.filter((statement) => statement.Sid !== CLOUDWATCH_ALLOW);
  }
  return { Resources: resources };
}

/** A run of `orders` whose breaker opened in the outage, with the composite in ALARM meanwhile. */
function runWithPage(refused: ReadonlyMap<string, readonly string[]>): RunRecord {
  const history = new BreakerHistory();
  history.observe([
    {
      eventName: 'MODIFY',
      dynamodb: {
        Keys: { name: { S: 'orders' } },
        NewImage: {
          name: { S: 'orders' },
          state: { S: 'OPEN' },
          version: { N: '1' },
          changedAt: { N: String(T0 + 20_000) },
          reason: { S: 'failure-rate' },
        },
        OldImage: { name: { S: 'orders' }, state: { S: 'CLOSED' } },
      },
    },
  ]);
  const composite: AlarmHistory = {
    name: PAGE,
    composite: {
      name: PAGE,
      memberNames: [],
      rule: 'anyOf',
      description: 'test',
      runbookAnchor: '#runbook-pipeline-critical',
      notifies: 'paging',
    },
    state: 'ALARM',
    transitions: [{ from: 'OK', to: 'ALARM', atMillis: T0 + 30_000 }],
    firstAlarmAtMillis: T0 + 30_000,
    okAtMillis: null,
  };
  return {
    startedAtMillis: T0,
    scenario: buildScenario({
      rate: 10,
      burstFactor: 1,
      outageSeconds: 15,
      storeOutageSeconds: 0,
      durationScale: 1,
      controllerOutageSeconds: 0,
    }),
    ledger: new Ledger(),
    rigs: [{ config: { name: 'orders', breakerName: 'orders' } } as unknown as ConsumerRig],
    history,
    alarms: [composite],
    poisonDlq: new Map(),
    redriven: new Map(),
    alarmPeriodMillis: 10_000,
    evaluationPeriods: 2,
    pausedMaxMillis: 1_000_000,
    stage: 'local',
    cacheTtlMillis: 250,
    endedAtMillis: T0 + 120_000,
    breakerMinimumCalls: 10,
    shardCount: 1,
    slowStartMillis: 5_000,
    refusedNotifications: refused,
  };
}

function onCall(run: RunRecord) {
  return checkInvariants(run, {}, run.endedAtMillis).find((i) => i.name === 'on-call-hears-first');
}

test('the local template delivers every alarm notification', async () => {
  expect([...(await refusedNotifications(template)).entries()]).toEqual([]);
});

test('with the template intact, the page of the outage is heard', async () => {
  expect(onCall(runWithPage(await refusedNotifications(template)))).toMatchObject({ held: true });
});

test('with the paging topic’s CloudWatch allow dropped, on-call-hears-first fails and names the refusal', async () => {
  // GIVEN the local template with one hop broken
  const refused = await refusedNotifications(withoutPagingAllow(template));
  // THEN only the notifications of the alarms on the paging topic are refused, as AWS words it
  expect([...refused.keys()].sort()).toEqual([EXPIRING, PAGE].sort());
  expect(refused.get(PAGE)).toEqual([
    expect.stringMatching(
      /^cloudwatch\.amazonaws\.com is not authorized to perform: sns:Publish on resource: arn:aws:sns:us-east-1:000000000000:event-pipeline-local-paging because no resource-based policy allows/,
    ),
  ]);
  // WHEN the composite fired in the outage THEN nobody heard it, and the invariant says why
  const result = onCall(runWithPage(refused));
  expect(result?.held).toBe(false);
  expect(result?.detail).toContain(`${PAGE} went to ALARM but its notification was refused`);
  expect(result?.detail).toContain('not authorized to perform: sns:Publish');
});
