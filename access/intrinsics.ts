import type { AwsEnvironment, CfnResource, CfnTemplate } from './cfn-template';

/**
 * What a reference to a resource of one type stands for once deployed: its physical name (from the
 * name property the template sets, or the logical ID when AWS would generate one), what `Ref`
 * returns, and its attributes (`Fn::GetAtt`). Unknown types resolve `Ref` to the logical ID and `Arn`
 * to a generic ARN, so the walker still sees a stable value.
 */
interface ResourceIdentity {
  readonly nameProperty?: string;
  readonly ref: (name: string, arn: string) => string;
  readonly arn: (name: string, env: Required<AwsEnvironment>) => string;
  readonly attributes?: Readonly<Record<string, (name: string, arn: string) => string>>;
}

const byName = (name: string): string => name;
const byArn = (_name: string, arn: string): string => arn;
const regional =
  (service: string, resource: (name: string) => string) =>
  (name: string, e: Required<AwsEnvironment>): string =>
    `arn:${e.partition}:${service}:${e.region}:${e.account}:${resource(name)}`;

/** A fixed stream label for DynamoDB streams: AWS sets a timestamp at deploy time. */
const STREAM_LABEL = '2026-01-01T00:00:00.000';

/** A fixed creation timestamp for stream consumer ARNs. */
const CONSUMER_CREATED = '1767225600';

const IDENTITIES: Readonly<Record<string, ResourceIdentity>> = {
  'AWS::SNS::Topic': {
    nameProperty: 'TopicName',
    ref: byArn,
    arn: regional('sns', byName),
    attributes: { TopicArn: byArn, TopicName: byName },
  },
  'AWS::SQS::Queue': {
    nameProperty: 'QueueName',
    ref: (name, arn) => {
      const [, , , region, account] = arn.split(':');
      return `https://sqs.${region}.amazonaws.com/${account}/${name}`;
    },
    arn: regional('sqs', byName),
    attributes: { QueueName: byName },
  },
  'AWS::S3::Bucket': {
    nameProperty: 'BucketName',
    ref: byName,
    arn: (name, e) => `arn:${e.partition}:s3:::${name}`,
  },
  'AWS::DynamoDB::Table': {
    nameProperty: 'TableName',
    ref: byName,
    arn: regional('dynamodb', (name) => `table/${name}`),
    attributes: { StreamArn: (_name, arn) => `${arn}/stream/${STREAM_LABEL}` },
  },
  'AWS::KMS::Key': {
    ref: byName,
    arn: regional('kms', (name) => `key/${name}`),
    attributes: { KeyId: byName },
  },
  'AWS::Kinesis::Stream': {
    nameProperty: 'Name',
    ref: byName,
    arn: regional('kinesis', (name) => `stream/${name}`),
  },
  'AWS::Kinesis::StreamConsumer': {
    nameProperty: 'ConsumerName',
    ref: byArn,
    arn: () => '',
    attributes: { ConsumerARN: byArn, ConsumerName: byName },
  },
  'AWS::Lambda::Function': {
    nameProperty: 'FunctionName',
    ref: byName,
    arn: regional('lambda', (name) => `function:${name}`),
  },
  'AWS::Lambda::EventSourceMapping': {
    ref: byName,
    arn: regional('lambda', (name) => `event-source-mapping:${name}`),
    attributes: { Id: byName, EventSourceMappingArn: byArn },
  },
  'AWS::IAM::Role': {
    nameProperty: 'RoleName',
    ref: byName,
    arn: (name, e) => `arn:${e.partition}:iam::${e.account}:role/${name}`,
  },
  'AWS::Logs::LogGroup': {
    nameProperty: 'LogGroupName',
    ref: byName,
    // GetAtt Arn of a log group ends in `:*` (CloudFormation documents it so).
    arn: regional('logs', (name) => `log-group:${name}:*`),
  },
  'AWS::Events::Rule': {
    nameProperty: 'Name',
    ref: byName,
    arn: regional('events', (name) => `rule/${name}`),
  },
  'AWS::CloudWatch::Alarm': {
    nameProperty: 'AlarmName',
    ref: byName,
    arn: regional('cloudwatch', (name) => `alarm:${name}`),
  },
  'AWS::CloudWatch::CompositeAlarm': {
    nameProperty: 'AlarmName',
    ref: byName,
    arn: regional('cloudwatch', (name) => `alarm:${name}`),
  },
  'AWS::SecretsManager::Secret': {
    nameProperty: 'Name',
    ref: byArn,
    arn: regional('secretsmanager', (name) => `secret:${name}-AbCdEf`),
  },
};

const GENERIC: ResourceIdentity = {
  ref: byName,
  arn: (name, e) => `arn:${e.partition}:cloudformation:${e.region}:${e.account}:resource/${name}`,
};

/**
 * Resolves a template's intrinsic functions (`Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`,
 * `Fn::Select`, `Fn::Split` and the pseudo parameters) to the strings AWS would see at run time in
 * one account and region. Names a resource does not set are its logical ID, which is unique in the
 * template, so every reference to one resource resolves to the same value.
 */
export class IntrinsicResolver {
  readonly env: Required<AwsEnvironment>;

  constructor(
    readonly template: CfnTemplate,
    env: AwsEnvironment,
  ) {
    this.env = { partition: 'aws', ...env };
  }

  /** The resource's physical name. @throws when the template has no such resource */
  nameOf(logicalId: string): string {
    const resource = this.resource(logicalId);
    const property = identityOf(resource).nameProperty;
    const name = property === undefined ? undefined : resource.Properties?.[property];
    return name === undefined ? logicalId : this.string(name);
  }

  arnOf(logicalId: string): string {
    const resource = this.resource(logicalId);
    // A stream consumer's ARN extends its stream's; the creation timestamp is AWS's, fixed here.
    if (resource.Type === 'AWS::Kinesis::StreamConsumer') {
      return `${this.string(resource.Properties?.StreamARN)}/consumer/${this.nameOf(logicalId)}:${CONSUMER_CREATED}`;
    }
    return identityOf(resource).arn(this.nameOf(logicalId), this.env);
  }

  refOf(logicalId: string): string {
    return identityOf(this.resource(logicalId)).ref(this.nameOf(logicalId), this.arnOf(logicalId));
  }

  attributeOf(logicalId: string, attribute: string): string {
    if (attribute === 'Arn') return this.arnOf(logicalId);
    const get = identityOf(this.resource(logicalId)).attributes?.[attribute];
    if (get === undefined) {
      throw new Error(
        `cannot resolve Fn::GetAtt ${logicalId}.${attribute} (${this.resource(logicalId).Type})`,
      );
    }
    return get(this.nameOf(logicalId), this.arnOf(logicalId));
  }

  /** Resolves every intrinsic inside a value (objects and arrays deeply). */
  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((item) => this.resolve(item));
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [key, argument] = entries[0];
      const resolved = this.intrinsic(key, argument);
      if (resolved !== undefined) return resolved;
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, this.resolve(v)]));
  }

  /** Resolves a value that must be a string. @throws when it resolves to anything else */
  string(value: unknown): string {
    const resolved = this.resolve(value);
    if (typeof resolved !== 'string') throw new Error(`expected a string, got ${JSON.stringify(resolved)}`);
    return resolved;
  }

  private intrinsic(key: string, argument: unknown): unknown {
    switch (key) {
      case 'Ref':
        return this.ref(String(argument));
      case 'Fn::GetAtt': {
        const [id, attribute] = Array.isArray(argument)
          ? (argument as unknown[])
          : String(argument).split('.');
        return this.attributeOf(String(id), String(attribute));
      }
      case 'Fn::Join': {
        const [separator, parts] = argument as [string, unknown[]];
        return (this.resolve(parts) as unknown[]).map(String).join(separator);
      }
      case 'Fn::Select': {
        const [index, list] = argument as [unknown, unknown];
        return (this.resolve(list) as unknown[])[Number(this.resolve(index))];
      }
      case 'Fn::Split': {
        const [separator, source] = argument as [string, unknown];
        return this.string(source).split(separator);
      }
      case 'Fn::Sub':
        return this.sub(argument);
      default:
        return undefined;
    }
  }

  private ref(name: string): string {
    switch (name) {
      case 'AWS::AccountId':
        return this.env.account;
      case 'AWS::Region':
        return this.env.region;
      case 'AWS::Partition':
        return this.env.partition;
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return 'stack';
      default:
        return this.refOf(name);
    }
  }

  private sub(argument: unknown): string {
    const [text, variables] = Array.isArray(argument)
      ? (argument as [string, Record<string, unknown>])
      : [String(argument), {}];
    return text.replace(/\$\{([^}!]+)\}/g, (_, expression: string) => {
      if (expression in variables) return this.string(variables[expression]);
      const [id, attribute] = expression.split('.');
      return attribute === undefined ? this.ref(id) : this.attributeOf(id, attribute);
    });
  }

  private resource(logicalId: string): CfnResource {
    const resource = this.template.Resources[logicalId];
    if (resource === undefined) throw new Error(`the template has no resource ${logicalId}`);
    return resource;
  }
}

function identityOf(resource: CfnResource): ResourceIdentity {
  return IDENTITIES[resource.Type] ?? GENERIC;
}
