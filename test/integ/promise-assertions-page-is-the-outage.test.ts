import { readIntegSnapshot } from './integ-snapshot';

/*
 * The "page reached the queue" assertion must not pass on a message that is not the composite's ALARM
 * page: the composite and its member alarms notify the same topic on OK too (alarm-factory.ts), and an
 * SNS notification delivered to SQS (not raw) is the JSON envelope whose Message holds the alarm's JSON,
 * which carries "OldStateValue":"ALARM" on OK and, for a composite, an AlarmRule of ALARM(...) terms.
 * The committed snapshot is the synthesis (integ-snapshot.synth.test.ts), so it is read here.
 */
type Resource = { Type: string; Properties: Record<string, unknown> };

function pagePattern(): RegExp {
  const templates = readIntegSnapshot() as Record<string, { Resources: Record<string, Resource> }>;
  const calls = Object.values(templates)
    .flatMap((template) => Object.values(template.Resources))
    .filter((resource) => resource.Properties.api === 'receiveMessage');
  expect(calls).toHaveLength(1);
  // The expected JSON as the assertion provider gets it: a Fn::Join when it names the composite (a
  // cross-stack read), which resolves to the composite's name.
  const expected = calls[0]?.Properties.expected as string | { 'Fn::Join': [string, unknown[]] };
  const text =
    typeof expected === 'string'
      ? expected
      : expected['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : COMPOSITE)).join('');
  const parsed = JSON.parse(text) as {
    $ObjectLike: { Messages: { $ArrayWith: { $ObjectLike: { Body: { $StringLike: string } } }[] } };
  };
  const pattern = parsed.$ObjectLike.Messages.$ArrayWith[0]?.$ObjectLike.Body.$StringLike;
  if (pattern === undefined) throw new Error(`no Body pattern in ${text}`);
  return new RegExp(pattern);
}
function snsEnvelope(alarmName: string, oldState: string, newState: string, rule?: string): string {
  const message = JSON.stringify({
    AlarmName: alarmName,
    NewStateValue: newState,
    OldStateValue: oldState,
    ...(rule && { AlarmRule: rule }),
  });
  return [
    '{',
    '  "Type" : "Notification",',
    '  "MessageId" : "0b3b9c9e-1111-2222-3333-444455556666",',
    '  "TopicArn" : "arn:aws:sns:eu-west-1:111111111111:alerts",',
    `  "Subject" : ${JSON.stringify(`${newState}: "${alarmName}" in EU (Ireland)`)},`,
    `  "Message" : ${JSON.stringify(message)},`,
    '  "Timestamp" : "2026-12-07T20:00:00.000Z"',
    '}',
  ].join('\n');
}

const COMPOSITE = 'event-pipeline-integ-pipeline-critical';
const RULE = 'ALARM("event-pipeline-integ-consumer-orders-paused-too-long")';

test("GIVEN the composite's ALARM page WHEN the page assertion reads it THEN it passes", () => {
  expect(pagePattern().test(snsEnvelope(COMPOSITE, 'OK', 'ALARM', RULE))).toBe(true);
});

test.each([
  ["the composite's OK notification (start-up recovery)", snsEnvelope(COMPOSITE, 'ALARM', 'OK', RULE)],
  [
    "a member metric alarm's OK notification",
    snsEnvelope('event-pipeline-integ-stream-iterator-age', 'ALARM', 'OK'),
  ],
  [
    "a member metric alarm's ALARM notification",
    snsEnvelope('event-pipeline-integ-consumer-orders-paused-too-long', 'OK', 'ALARM'),
  ],
])('GIVEN %s on the page queue WHEN the page assertion reads it THEN it does not pass', (_, body) => {
  expect(pagePattern().test(body)).toBe(false);
});
