/**
 * The access-path check: walks a synthesized CloudFormation template as AWS acts on it at run time and
 * evaluates every hop with an IAM policy evaluator. CDK-free, so the tests and local mode share it
 * (docs/architecture.md, "Access paths"). Its evaluator, @cloud-copilot/iam-simulate, is AGPL-3.0 and
 * a devDependency: no handler bundle may import this folder.
 */
export type { AwsEnvironment, CfnResource, CfnTemplate, PolicyDocument } from './cfn-template';
export { IntrinsicResolver } from './intrinsics';
export { accessPaths, HANDLER_ENTRY_METADATA, HopWalker, LEADING_KEYS, SETTING_ROUTES } from './hops';
export type { SettingRoute } from './hops';
export { actionOf, commandsIn, commandsSentBy } from './handler-commands';
export type { SentCommand } from './handler-commands';
export type { Hop, HopKind } from './hops';
export { describeHop, evaluateHop, evaluateHops, HopEvaluationError } from './evaluate-hop';
export type { Decision, HopVerdict } from './evaluate-hop';
export { forbiddenHops, OTHER_ACCOUNT, OTHER_PARTITION } from './negative-paths';
export type { ForbiddenHop } from './negative-paths';
export { alarmNotificationVerdicts } from './alarm-notifications';
export type { AlarmNotificationVerdict } from './alarm-notifications';
