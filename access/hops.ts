import type { AwsEnvironment, CfnTemplate, PolicyDocument } from './cfn-template';
import { commandsSentBy } from './handler-commands';
import type { SentCommand } from './handler-commands';
import { propertyOf } from './cfn-template';
import { IntrinsicResolver } from './intrinsics';
import { ResourceIndex } from './resource-index';
import { TemplatePolicies } from './template-policies';
import type { NamedPolicy } from './template-policies';

/** Why AWS makes a hop: which wiring in the template it comes from. */
export type HopKind =
  'alarm-action' | 'rule-target' | 'event-source' | 'on-failure' | 'role-call' | 'logs' | 'access-log';

/** One request AWS makes on the pipeline's behalf, with everything its evaluation needs. */
export interface Hop {
  readonly kind: HopKind;
  /** Who makes the call, for people: `alarm event-pipeline-prod-pipeline-critical`, `role of ...`. */
  readonly from: string;
  /** What it reaches, for people: `topic event-pipeline-prod-paging`, `key of topic ...`. */
  readonly to: string;
  /** Logical ID of the template resource the hop starts from (alarm, rule, mapping, function, log group). */
  readonly sourceId: string;
  /** Logical ID of the resource it reaches, or its ARN when the template does not hold it. */
  readonly targetId: string;
  /** For a key hop: the logical ID of the resource the key encrypts, whose delivery needs it. */
  readonly via?: string;
  /** An IAM role ARN or a service principal (`cloudwatch.amazonaws.com`). */
  readonly principal: string;
  /** Logical ID of the role, when a role makes the call. */
  readonly roleId?: string;
  readonly action: string;
  readonly resourceArn: string;
  readonly resourceAccount: string;
  readonly identityPolicies: readonly NamedPolicy[];
  readonly resourcePolicy?: PolicyDocument;
  /** Request context keys AWS sets on the call (`aws:SourceArn`, `aws:SecureTransport`, ...). */
  readonly context: Readonly<Record<string, string | readonly string[]>>;
}

/**
 * A handler's SigV4-signed HTTP request to a resource outside the template that a setting names by ARN
 * (a downstream's function URL, API Gateway route or VPC Lattice service), by the ARN's service. Such a
 * request is no SDK command, so the bundle does not name it; the call is the consumer's `sigv4`
 * downstream auth (docs/architecture.md, "Access paths"). Function URLs created since October 2025 need
 * both Lambda actions (https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html).
 */
const SIGNED_REQUEST_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  lambda: ['lambda:InvokeFunctionUrl', 'lambda:InvokeFunction'],
  'execute-api': ['execute-api:Invoke'],
  'vpc-lattice': ['vpc-lattice-svcs:Invoke'],
};

/**
 * Outside services that decrypt what a handler reads with a customer managed key a setting names (a
 * bearer secret's `kmsKeyArn`): the caller needs `kms:Decrypt` on it, through that service
 * (https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html).
 */
const DECRYPTING_SERVICES: readonly string[] = ['secretsmanager'];

/** The IAM service prefix of the template's resource types a handler's settings can name. */
const SERVICE_PREFIX_OF_TYPE: Readonly<Record<string, string>> = {
  'AWS::SQS::Queue': 'sqs',
  'AWS::SNS::Topic': 'sns',
  'AWS::S3::Bucket': 's3',
  'AWS::Kinesis::Stream': 'kinesis',
  'AWS::DynamoDB::Table': 'dynamodb',
  'AWS::Lambda::EventSourceMapping': 'lambda',
  'AWS::Lambda::Function': 'lambda',
};

/**
 * A setting naming a resource that only one part of a handler's code calls. The commands sent from that
 * part reach the resources the setting names, and only those; the service's other commands reach its
 * other resources. A table partitioned per caller adds the partition key each call names, as the
 * `dynamodb:LeadingKeys` DynamoDB sets on the request
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html).
 */
export interface SettingRoute {
  /** The environment variable naming the resource (contracts/handler-settings.ts). */
  readonly setting: string;
  /** The project folder whose commands reach it. */
  readonly sentFrom: string;
  /** The environment variable whose value is the partition key every call names. @default - none */
  readonly leadingKeySetting?: string;
}

/**
 * The quarantine table: only the quarantine's store calls it, each consumer and drainer on its own
 * partition (docs/architecture.md, "Per-key quarantine", "The table").
 */
export const SETTING_ROUTES: readonly SettingRoute[] = [
  {
    setting: 'QUARANTINE_TABLE_NAME',
    sentFrom: 'lambda/shared/quarantine/',
    leadingKeySetting: 'CONSUMER_NAME',
  },
];

/** The request context key of a partition-keyed call. */
export const LEADING_KEYS = 'dynamodb:LeadingKeys';

/** The metadata key on a function resource naming its handler's entry (lib/constructs/pipeline-function.ts). */
export const HANDLER_ENTRY_METADATA = 'pipeline:handler-entry';

/** What a delivering service does with a target of each type (EventBridge, on-failure destinations). */
const DELIVERY_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  'AWS::SQS::Queue': ['sqs:SendMessage'],
  'AWS::SNS::Topic': ['sns:Publish'],
  'AWS::Lambda::Function': ['lambda:InvokeFunction'],
  'AWS::Kinesis::Stream': ['kinesis:PutRecord'],
  // Lambda writes the invocation record as one object under aws/lambda/<mapping UUID>/, and needs
  // s3:ListBucket on the bucket too (docs/architecture.md, "Access paths").
  'AWS::S3::Bucket': ['s3:PutObject', 's3:ListBucket'],
};

/** What the mapping's role needs on its event source, by the source's type. */
const EVENT_SOURCE_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  'AWS::Kinesis::Stream': [
    'kinesis:DescribeStreamSummary',
    'kinesis:GetRecords',
    'kinesis:GetShardIterator',
    'kinesis:ListShards',
  ],
  'AWS::Kinesis::StreamConsumer': ['kinesis:DescribeStreamConsumer', 'kinesis:SubscribeToShard'],
  'AWS::DynamoDB::Table': ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
  // A quarantine queue's drainer (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html, execution
  // role permissions); an encrypted queue adds kms:Decrypt (sourceHops).
  'AWS::SQS::Queue': ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
};

/** The prefix every listing of the on-failure bucket names: Lambda's invocation records. */
const ON_FAILURE_LIST_PREFIX = 'aws/lambda/';

/** What using a customer-managed key takes, for a writer to an encrypted resource. */
const KEY_ACTIONS = ['kms:GenerateDataKey', 'kms:Decrypt'] as const;

/** The service AWS names in `kms:ViaService` when a role's call to a resource uses its key. */
const SERVICE_OF_TYPE: Readonly<Record<string, string>> = {
  'AWS::SQS::Queue': 'sqs',
  'AWS::SNS::Topic': 'sns',
  'AWS::S3::Bucket': 's3',
  'AWS::Kinesis::Stream': 'kinesis',
  'AWS::DynamoDB::Table': 'dynamodb',
};

/**
 * Source keys (`aws:SourceArn`, `aws:SourceAccount`) AWS documents as absent from the KMS request the
 * target's service makes for a delivering service principal, by principal and target type: a key-policy
 * condition on them never matches. SNS: "Adding the aws:SourceAccount and aws:SourceArn to a AWS KMS
 * policy is not supported for EventBridge-to-encrypted topics"
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html).
 */
const NO_SOURCE_KEYS_TO_KMS: Readonly<Record<string, readonly string[]>> = {
  'events.amazonaws.com': ['AWS::SNS::Topic'],
};
const SOURCE_KEYS = ['aws:SourceArn', 'aws:SourceAccount'];

const SHORT_TYPE: Readonly<Record<string, string>> = {
  'AWS::SNS::Topic': 'topic',
  'AWS::SQS::Queue': 'queue',
  'AWS::S3::Bucket': 'bucket',
  'AWS::DynamoDB::Table': 'table',
  'AWS::Kinesis::Stream': 'stream',
  'AWS::Kinesis::StreamConsumer': 'stream consumer',
  'AWS::Lambda::Function': 'function',
  'AWS::Lambda::EventSourceMapping': 'mapping',
  'AWS::Logs::LogGroup': 'log group',
  'AWS::KMS::Key': 'key',
};

/** The caller of a group of hops: a service acting for a source resource, or a role. */
interface Caller {
  readonly kind: HopKind;
  readonly from: string;
  readonly sourceId: string;
  readonly principal: string;
  readonly roleId?: string;
  readonly identityPolicies: readonly NamedPolicy[];
  readonly context: Readonly<Record<string, string | readonly string[]>>;
}

/**
 * Walks a synthesized template the way AWS will act on it at run time and lists every hop: each
 * alarm's actions to their topics and the topics' keys; each EventBridge rule's targets (and their
 * dead-letter queues) and their keys; each event source mapping's source and on-failure destination
 * with its key, as the function's role; each function's role, for each AWS call its bundled code
 * sends, to every resource of that service its settings name (environment variables, JSON settings
 * included), and to its log group; CloudWatch Logs to each log
 * group's key. Nothing is listed by hand: a resource added to the template brings its hops.
 */
export function accessPaths(template: CfnTemplate, env: AwsEnvironment): Hop[] {
  return new HopWalker(template, env).walk();
}

/** The walker, with the resolver, the resource index and the policies it shares. */
export class HopWalker {
  readonly resolver: IntrinsicResolver;
  readonly index: ResourceIndex;
  readonly policies: TemplatePolicies;

  constructor(template: CfnTemplate, env: AwsEnvironment) {
    this.resolver = new IntrinsicResolver(template, env);
    this.index = new ResourceIndex(template, this.resolver);
    this.policies = new TemplatePolicies(template, this.resolver);
  }

  walk(): Hop[] {
    return [
      ...this.index.ofType('AWS::CloudWatch::Alarm').flatMap((id) => this.alarmHops(id)),
      ...this.index.ofType('AWS::CloudWatch::CompositeAlarm').flatMap((id) => this.alarmHops(id)),
      ...this.index.ofType('AWS::Events::Rule').flatMap((id) => this.ruleHops(id)),
      ...this.index.ofType('AWS::Lambda::EventSourceMapping').flatMap((id) => this.mappingHops(id)),
      ...this.index.ofType('AWS::Lambda::Function').flatMap((id) => this.functionHops(id)),
      ...this.index.ofType('AWS::Logs::LogGroup').flatMap((id) => this.logGroupHops(id)),
      ...this.index.ofType('AWS::S3::Bucket').flatMap((id) => this.accessLogHops(id)),
    ];
  }

  /**
   * S3 delivering a bucket's server access logs to its `LoggingConfiguration` destination, as the
   * logging service principal with the source bucket as `aws:SourceArn`.
   * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html
   */
  accessLogHops(bucketId: string): Hop[] {
    const logging = propertyOf(this.index.resource(bucketId), 'LoggingConfiguration') as
      { DestinationBucketName?: unknown; LogFilePrefix?: unknown } | undefined;
    if (logging === undefined) return [];
    // Without a destination S3 logs into the source bucket itself.
    const destinationId =
      logging.DestinationBucketName === undefined
        ? bucketId
        : this.index.idReferencedBy(logging.DestinationBucketName);
    if (destinationId === undefined) return [];
    const prefix = this.resolver.resolve(logging.LogFilePrefix ?? '');
    const caller = this.serviceCaller('access-log', bucketId, 'logging.s3.amazonaws.com');
    return [
      this.hop(
        caller,
        destinationId,
        's3:PutObject',
        `${this.resolver.arnOf(destinationId)}/${typeof prefix === 'string' ? prefix : ''}probe`,
        this.describe(destinationId),
        { 's3:ResourceAccount': this.resolver.env.account },
      ),
      ...this.keyHops(caller, destinationId),
    ];
  }

  /** The hops of one alarm: each action, OK action and insufficient-data action to its target. */
  alarmHops(alarmId: string): Hop[] {
    const alarm = this.index.resource(alarmId);
    const caller = this.serviceCaller('alarm-action', alarmId, 'cloudwatch.amazonaws.com');
    const actions = ['AlarmActions', 'OKActions', 'InsufficientDataActions'].flatMap(
      (name) => (propertyOf(alarm, name) as unknown[] | undefined) ?? [],
    );
    const targets = [...new Set(actions.map((action) => this.requireId(action, alarmId, 'alarm action')))];
    return targets.flatMap((targetId) => this.deliveryHops(caller, targetId, DELIVERY_ACTIONS));
  }

  /** The hops of one rule: EventBridge to each target and to each target's dead-letter queue. */
  ruleHops(ruleId: string): Hop[] {
    const targets =
      (propertyOf(this.index.resource(ruleId), 'Targets') as Record<string, unknown>[] | undefined) ?? [];
    return targets.flatMap((target) => {
      const roleId = this.index.idReferencedBy(target.RoleArn);
      const caller =
        roleId === undefined
          ? this.serviceCaller('rule-target', ruleId, 'events.amazonaws.com')
          : this.roleCaller('rule-target', ruleId, roleId);
      const deadLetter = (target.DeadLetterConfig as { Arn?: unknown } | undefined)?.Arn;
      return [target.Arn, deadLetter]
        .filter((arn) => arn !== undefined)
        .map((arn) => this.requireId(arn, ruleId, 'rule target'))
        .flatMap((id) => this.deliveryHops(caller, id, DELIVERY_ACTIONS));
    });
  }

  /** The hops of one mapping, made as its function's role: reading the source, writing failures. */
  mappingHops(mappingId: string): Hop[] {
    const mapping = this.index.resource(mappingId);
    const functionId = this.index.idReferencedBy(propertyOf(mapping, 'FunctionName'));
    const roleId = functionId === undefined ? undefined : this.roleOf(functionId);
    if (roleId === undefined) return [];
    const sourceId = this.index.idReferencedBy(propertyOf(mapping, 'EventSourceArn'));
    const source =
      sourceId === undefined
        ? []
        : this.sourceHops(this.roleCaller('event-source', mappingId, roleId), sourceId);
    const destination = (
      propertyOf(mapping, 'DestinationConfig') as { OnFailure?: { Destination?: unknown } } | undefined
    )?.OnFailure?.Destination;
    const destinationId =
      destination === undefined
        ? undefined
        : this.requireId(destination, mappingId, 'on-failure destination');
    const onFailure =
      destinationId === undefined
        ? []
        : this.deliveryHops(
            this.roleCaller('on-failure', mappingId, roleId),
            destinationId,
            DELIVERY_ACTIONS,
            {
              objectKey: `aws/lambda/${this.resolver.refOf(mappingId)}/shardId-000000000000/failed-batch`,
            },
          );
    return [...source, ...onFailure];
  }

  /**
   * The hops of one function's role: each AWS call its code sends (read from its bundle) to each
   * resource of that service its settings name, each signed request to an outside resource a setting
   * names, and its log group. A command whose service no setting names is a call this configuration
   * does not make (a consumer without a bearer secret never reads one).
   */
  functionHops(functionId: string): Hop[] {
    const roleId = this.roleOf(functionId);
    if (roleId === undefined) return [];
    const caller = this.roleCaller('role-call', functionId, roleId);
    const sent = this.commandsOf(functionId);
    const hops: Hop[] = [];
    // A function's settings may name the function itself (its own name); that is no call.
    const namedBySettings = this.namedBySettings(functionId).filter((n) => n !== functionId);
    for (const named of namedBySettings) {
      if (named.startsWith('arn:')) {
        const service = named.split(':')[2];
        if (service === 'kms') {
          // An outside key the handler's reads through another service decrypt with.
          for (const read of namedBySettings) {
            const [, , readService, readRegion] = read.split(':');
            if (!read.startsWith('arn:') || !DECRYPTING_SERVICES.includes(readService)) continue;
            if (!sent.some((c) => c.service === readService)) continue;
            hops.push({
              ...this.hop(caller, named, 'kms:Decrypt', named, `key ${named} of ${read}`, {
                'kms:ViaService': `${readService}.${readRegion}.amazonaws.com`,
              }),
              // Its key policy is not in the template: only the caller's side is judged, under the default
              // key policy, which lets the account's IAM policies grant use of the key
              // (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html).
              resourcePolicy: {
                Version: '2012-10-17',
                Statement: [
                  {
                    Sid: 'Enable IAM User Permissions',
                    Effect: 'Allow',
                    Principal: { AWS: `arn:${named.split(':')[1]}:iam::${named.split(':')[4]}:root` },
                    Action: 'kms:*',
                    Resource: '*',
                  },
                ],
              },
            });
          }
          continue;
        }
        const actions = [
          ...sent.filter((c) => c.service === service).map((c) => c.action),
          ...(SIGNED_REQUEST_ACTIONS[service] ?? []),
        ];
        // IAM authorizes a VPC Lattice request on the service's ARN followed by the request path
        // (https://docs.aws.amazon.com/vpc-lattice/latest/ug/auth-policies.html, "Resource format").
        const requested = service === 'vpc-lattice' ? `${named}/probe` : named;
        for (const action of new Set(actions)) hops.push(this.externalHop(caller, named, action, requested));
      } else {
        const type = this.index.resource(named).Type;
        const route = this.routeOf(functionId, named);
        const actions = sent
          .filter((c) => c.service === SERVICE_PREFIX_OF_TYPE[type] && reaches(c, route))
          .map((c) => c.action);
        const leadingKey = route?.leadingKeySetting && this.settingValue(functionId, route.leadingKeySetting);
        hops.push(
          ...this.deliveryHops(
            caller,
            named,
            { [type]: [...new Set(actions)] },
            {
              context: typeof leadingKey === 'string' ? { [LEADING_KEYS]: [leadingKey] } : {},
            },
          ),
        );
      }
    }
    const logGroup = (
      propertyOf(this.index.resource(functionId), 'LoggingConfig') as { LogGroup?: unknown } | undefined
    )?.LogGroup;
    const logGroupId = this.index.idReferencedBy(logGroup);
    if (logGroupId !== undefined) {
      const streamArn = `${this.logGroupArn(logGroupId)}:log-stream:probe`;
      for (const action of ['logs:CreateLogStream', 'logs:PutLogEvents']) {
        hops.push(
          this.hop(caller, logGroupId, action, streamArn, `log group ${this.resolver.nameOf(logGroupId)}`),
        );
      }
    }
    return hops;
  }

  /** CloudWatch Logs encrypting one log group with its key. */
  logGroupHops(logGroupId: string): Hop[] {
    const keyId = this.index.encryptionKeyOf(logGroupId);
    if (keyId === undefined) return [];
    const e = this.resolver.env;
    const caller: Caller = {
      kind: 'logs',
      from: `CloudWatch Logs for log group ${this.resolver.nameOf(logGroupId)}`,
      sourceId: logGroupId,
      principal: `logs.${e.region}.amazonaws.com`,
      identityPolicies: [],
      context: {
        'aws:SecureTransport': 'true',
        'kms:EncryptionContext:aws:logs:arn': this.logGroupArn(logGroupId),
      },
    };
    return ['kms:Encrypt', ...KEY_ACTIONS].map((action) =>
      this.hop(
        caller,
        keyId,
        action,
        this.resolver.arnOf(keyId),
        `key of log group ${this.resolver.nameOf(logGroupId)}`,
      ),
    );
  }

  /**
   * The AWS calls a function's code sends, from the bundle of the handler entry its metadata names.
   * A function whose code the walk cannot read would be a role nobody judges: it throws.
   */
  commandsOf(functionId: string): readonly SentCommand[] {
    const resource = this.index.resource(functionId);
    const entry = resource.Metadata?.[HANDLER_ENTRY_METADATA];
    if (typeof entry !== 'string')
      throw new Error(
        `cannot read the code of ${this.describe(functionId)}: its resource has no ${HANDLER_ENTRY_METADATA} ` +
          'metadata, so the access-path check cannot tell which AWS calls it makes',
      );
    return commandsSentBy(entry);
  }

  /**
   * The template resources (logical IDs) and outside ARNs a function's settings name: every string in
   * its environment variables, JSON values searched too, that is a resource's Ref value or ARN.
   */
  namedBySettings(functionId: string): string[] {
    const variables = (
      propertyOf(this.index.resource(functionId), 'Environment') as { Variables?: unknown } | undefined
    )?.Variables;
    const strings = leafStrings(this.resolver.resolve(variables ?? {}));
    const named = new Set<string>();
    for (const value of strings) {
      const id = this.index.idOf(value);
      if (id !== undefined) named.add(id);
      else if (/^arn:[^:]+:[^:]+:/.test(value)) named.add(value);
    }
    return [...named];
  }

  /** The environment variables of a function, resolved. */
  private variablesOf(functionId: string): Record<string, unknown> {
    const variables = (
      propertyOf(this.index.resource(functionId), 'Environment') as { Variables?: unknown } | undefined
    )?.Variables;
    const resolved = this.resolver.resolve(variables ?? {});
    return resolved !== null && typeof resolved === 'object' ? (resolved as Record<string, unknown>) : {};
  }

  /** One environment variable of a function, resolved. */
  settingValue(functionId: string, name: string): unknown {
    return this.variablesOf(functionId)[name];
  }

  /** The route of a resource a function's settings name, when a routed setting names it. */
  routeOf(functionId: string, targetId: string): SettingRoute | undefined {
    const variables = this.variablesOf(functionId);
    return SETTING_ROUTES.find((route) => {
      const value = variables[route.setting];
      return typeof value === 'string' && this.index.idOf(value) === targetId;
    });
  }

  /**
   * The template resource a delivery target names. A target the walk cannot tie to one (an intrinsic
   * it does not resolve, a resource outside the template) is a hop nobody would judge: it throws.
   */
  requireId(value: unknown, sourceId: string, what: string): string {
    const id = this.index.idReferencedBy(value);
    if (id === undefined)
      throw new Error(
        `cannot walk the ${what} ${JSON.stringify(value)} of ${sourceId}: it names no resource of the template, ` +
          'so the access-path check cannot judge that hop',
      );
    return id;
  }

  /** The logical ID of a function's execution role. */
  roleOf(functionId: string): string | undefined {
    return this.index.idReferencedBy(propertyOf(this.index.resource(functionId), 'Role'));
  }

  /** A role as a caller: its ARN and the identity policies the template attaches to it. */
  roleCaller(kind: HopKind, sourceId: string, roleId: string): Caller {
    return {
      kind,
      from: `role of ${this.describe(sourceId)}`,
      sourceId,
      principal: this.resolver.arnOf(roleId),
      roleId,
      identityPolicies: this.policies.identityPoliciesOf(roleId),
      context: { 'aws:SecureTransport': 'true' },
    };
  }

  private serviceCaller(kind: HopKind, sourceId: string, principal: string): Caller {
    return {
      kind,
      from: this.describe(sourceId),
      sourceId,
      principal,
      identityPolicies: [],
      context: {
        'aws:SecureTransport': 'true',
        'aws:SourceArn': this.resolver.arnOf(sourceId),
        'aws:SourceAccount': this.resolver.env.account,
      },
    };
  }

  /** A caller's hops to one target: the actions its type takes, then the target's key. */
  private deliveryHops(
    caller: Caller,
    targetId: string,
    actionsByType: Readonly<Record<string, readonly string[]>>,
    options: {
      readonly objectKey?: string;
      readonly context?: Readonly<Record<string, string | readonly string[]>>;
    } = {},
  ): Hop[] {
    const type = this.index.resource(targetId).Type;
    const arn = this.resolver.arnOf(targetId);
    const to = this.describe(targetId);
    const hops = (actionsByType[type] ?? []).map((action) =>
      this.hop(
        caller,
        targetId,
        action,
        // Object actions name an object of the bucket; bucket actions (s3:ListBucket) the bucket.
        type === 'AWS::S3::Bucket' && action !== 's3:ListBucket'
          ? `${arn}/${options.objectKey ?? 'probe'}`
          : arn,
        to,
        {
          ...(type === 'AWS::S3::Bucket' ? { 's3:ResourceAccount': this.resolver.env.account } : {}),
          ...(action === 's3:ListBucket' ? { 's3:prefix': ON_FAILURE_LIST_PREFIX } : {}),
          ...options.context,
        },
      ),
    );
    // A listing reads no object, so it needs no key.
    const readsOrWritesData = hops.some((h) => h.action !== 's3:ListBucket');
    return hops.length === 0 ? [] : [...hops, ...(readsOrWritesData ? this.keyHops(caller, targetId) : [])];
  }

  private sourceHops(caller: Caller, sourceId: string): Hop[] {
    const type = this.index.resource(sourceId).Type;
    const isTableStream = type === 'AWS::DynamoDB::Table';
    const arn = isTableStream
      ? this.resolver.attributeOf(sourceId, 'StreamArn')
      : this.resolver.arnOf(sourceId);
    const hops = (EVENT_SOURCE_ACTIONS[type] ?? []).map((action) =>
      this.hop(
        caller,
        sourceId,
        action,
        arn,
        `${isTableStream ? 'stream of ' : ''}${this.describe(sourceId)}`,
      ),
    );
    // Receiving from a KMS-encrypted queue decrypts its messages; it never encrypts.
    const decrypts =
      type === 'AWS::SQS::Queue'
        ? this.keyHops(caller, sourceId).filter((hop) => hop.action === 'kms:Decrypt')
        : [];
    return [...hops, ...decrypts];
  }

  private keyHops(caller: Caller, targetId: string): Hop[] {
    const keyId = this.index.encryptionKeyOf(targetId);
    if (keyId === undefined) return [];
    const service = SERVICE_OF_TYPE[this.index.resource(targetId).Type];
    const via: Record<string, string> =
      caller.roleId !== undefined && service !== undefined
        ? { 'kms:ViaService': `${service}.${this.resolver.env.region}.amazonaws.com` }
        : {};
    const type = this.index.resource(targetId).Type;
    const keyCaller: Caller = (NO_SOURCE_KEYS_TO_KMS[caller.principal] ?? []).includes(type)
      ? {
          ...caller,
          context: Object.fromEntries(
            Object.entries(caller.context).filter(([name]) => !SOURCE_KEYS.includes(name)),
          ),
        }
      : caller;
    return KEY_ACTIONS.map((action) => ({
      ...this.hop(
        keyCaller,
        keyId,
        action,
        this.resolver.arnOf(keyId),
        `key of ${this.describe(targetId)}`,
        via,
      ),
      via: targetId,
    }));
  }

  /**
   * A call to a resource outside the template (a downstream's secret or function): its resource policy
   * is not in the template, so only the caller's side is judged, as for a resource of its own account.
   */
  private externalHop(caller: Caller, arn: string, action: string, requested: string = arn): Hop {
    return this.hop(caller, arn, action, requested, `${arn.split(':')[2]} ${arn}`);
  }

  private hop(
    caller: Caller,
    targetId: string,
    action: string,
    resourceArn: string,
    to: string,
    context: Readonly<Record<string, string | readonly string[]>> = {},
  ): Hop {
    const inTemplate = this.index.template.Resources[targetId] !== undefined;
    return {
      kind: caller.kind,
      from: caller.from,
      to,
      sourceId: caller.sourceId,
      targetId,
      principal: caller.principal,
      ...(caller.roleId === undefined ? {} : { roleId: caller.roleId }),
      action,
      resourceArn,
      resourceAccount: this.resolver.env.account,
      identityPolicies: caller.identityPolicies,
      ...(inTemplate ? { resourcePolicy: this.policies.resourcePolicyOf(targetId) } : {}),
      context: { ...caller.context, ...context },
    };
  }

  private logGroupArn(logGroupId: string): string {
    return this.resolver.arnOf(logGroupId).replace(/:\*$/, '');
  }

  /** `topic event-pipeline-prod-paging`, `alarm ...`: a resource for people. */
  describe(id: string): string {
    const type = this.index.resource(id).Type;
    const short =
      SHORT_TYPE[type] ?? (type.includes('Alarm') ? 'alarm' : type.includes('Rule') ? 'rule' : type);
    return `${short} ${this.resolver.nameOf(id)}`;
  }
}

/**
 * Whether a command reaches a resource: a routed one only from its code, any other only from code no
 * route claims.
 */
function reaches(command: SentCommand, route: SettingRoute | undefined): boolean {
  return route === undefined
    ? command.senders.some((sender) => !SETTING_ROUTES.some((r) => sender.startsWith(r.sentFrom)))
    : command.senders.some((sender) => sender.startsWith(route.sentFrom));
}

/** Every string inside a value; strings that hold JSON are searched too. */
function leafStrings(value: unknown): string[] {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
      try {
        return [value, ...leafStrings(JSON.parse(trimmed) as unknown)];
      } catch {
        return [value];
      }
    }
    return [value];
  }
  if (Array.isArray(value)) return value.flatMap(leafStrings);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(leafStrings);
  return [];
}
