import { join, relative, sep } from 'node:path';
import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { BASE_DEFAULTS, LIMITS } from '../../contracts';
import { PropsCheck } from './props-check';

/** Log levels Powertools Logger accepts. */
export type PowertoolsLogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** Makes the source map's paths project-relative after esbuild ran (see the script). */
export const NORMALIZE_SOURCE_MAP_SCRIPT = join(__dirname, '..', 'bundling', 'normalize-source-map.cjs');

/**
 * How every handler is bundled: by the local esbuild (never Docker), minified, with source maps whose
 * paths are project-relative (byte-identical bundles wherever the app is synthesized).
 * The AWS SDK v3 is bundled, not taken from the runtime: the function runs the SDK version the tests
 * ran, whatever the runtime's copy is that day, as AWS recommends
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html#nodejs-sdk-included). Resolving
 * packages by their `module` entry first gives esbuild the SDK's ES modules, which it tree-shakes
 * (the consumer: about 0.5 MB instead of 0.7 MB with the CommonJS builds; see bench/README.md).
 */
export const HANDLER_BUNDLING: nodejs.BundlingOptions = {
  forceDockerBundling: false,
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  target: 'node24',
  format: nodejs.OutputFormat.CJS,
  externalModules: [],
  mainFields: ['module', 'main'],
  logLevel: nodejs.LogLevel.WARNING,
  // The bundle must be the same bytes wherever the app is synthesized (laptop, CI, any cdk.out), so
  // its asset hash is too and a deploy from elsewhere does not update every function.
  commandHooks: {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (inputDir, outputDir) => [
      `node "${NORMALIZE_SOURCE_MAP_SCRIPT}" "${outputDir}" "${inputDir}"`,
    ],
  },
};

/** The project root, that the handler entry recorded in the template is relative to. */
const PROJECT_ROOT = join(__dirname, '..', '..');

/**
 * The function resource's metadata key naming its handler's TypeScript entry (project-relative). The
 * access-path check bundles that entry to learn which AWS calls the code sends
 * (docs/architecture.md, "Access paths"); CloudFormation ignores resource metadata.
 */
export const HANDLER_ENTRY_METADATA = 'pipeline:handler-entry';

/** The runtime every handler runs on (the project's Lambda target). */
export const HANDLER_RUNTIME = lambda.Runtime.NODEJS_24_X;

export interface PipelineFunctionProps {
  /** Physical function name; also names the log group `/aws/lambda/<functionName>`. */
  readonly functionName: string;
  /** Absolute path of the TypeScript handler module; it must export `handler`. */
  readonly entry: string;
  /** What the function does, shown in the console. */
  readonly description: string;
  /** Handler settings as environment variables (see contracts/handler-settings.ts). */
  readonly environment: Readonly<Record<string, string>>;
  /** Powertools service name, the `service` key of every log line and metric. */
  readonly serviceName: string;
  /** Powertools log level. @default 'INFO' */
  readonly logLevel?: PowertoolsLogLevel;
  /** Function memory in MB. Valid range 128..10240 (LIMITS.memorySizeMb). @default 512 */
  readonly memorySizeMb?: number;
  /** Function timeout. Valid range 3 s..900 s (LIMITS.timeoutSeconds). @default Duration.seconds(60) */
  readonly timeout?: Duration;
  /** How long the function's logs are kept. @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Key encrypting the log group; its policy must admit CloudWatch Logs for this group
   * ({@link PipelineKey.allowLogGroups}). @default - CloudWatch Logs' own encryption
   */
  readonly logEncryptionKey?: kms.IKey;
  /**
   * Concurrent executions set aside for this function (and the most it may run). Valid range 1 or more.
   * @default - none: the function shares the account's unreserved concurrency
   */
  readonly reservedConcurrentExecutions?: number;
}

const DEFAULT_MEMORY_MB = BASE_DEFAULTS.consumer.memorySizeMb;
const DEFAULT_TIMEOUT = Duration.seconds(BASE_DEFAULTS.consumer.timeoutSeconds);

/**
 * A Node.js 24 arm64 handler bundled by local esbuild, with its own role (which starts with no
 * permission but writing its own log group) and an explicit log group with a retention. Callers grant
 * the rest, resource by resource.
 */
export class PipelineFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  /** `/aws/lambda/<functionName>`, a plain string (for key policies that must not reference the group). */
  readonly logGroupName: string;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    super(scope, id);
    new PropsCheck(this)
      .integer('memorySizeMb', props.memorySizeMb, LIMITS.memorySizeMb, 'MB')
      .seconds('timeout', props.timeout, LIMITS.timeoutSeconds)
      .done();
    this.logGroupName = `/aws/lambda/${props.functionName}`;
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: this.logGroupName,
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      encryptionKey: props.logEncryptionKey,
    });
    // An explicit role instead of AWSLambdaBasicExecutionRole: it may write to its own log group only.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.functionName}`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      functionName: props.functionName,
      description: props.description,
      entry: props.entry,
      handler: 'handler',
      runtime: HANDLER_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySizeMb ?? DEFAULT_MEMORY_MB,
      timeout: props.timeout ?? DEFAULT_TIMEOUT,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      role: this.role,
      logGroup: this.logGroup,
      bundling: HANDLER_BUNDLING,
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
        // The bundle ships a source map; this makes stack traces point at the TypeScript source.
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
    (this.function.node.defaultChild as lambda.CfnFunction).addMetadata(
      HANDLER_ENTRY_METADATA,
      relative(PROJECT_ROOT, props.entry).split(sep).join('/'),
    );
    // The log group must exist before the function writes, and the role must be able to write to it.
    this.function.node.addDependency(this.role);

    Validations.of(this.function).acknowledge(
      {
        id: 'AwsSolutions-L1',
        reason:
          'Node.js 24 is the pinned Lambda target of this project (docs/architecture.md#invariants); a newer runtime is adopted deliberately, with the CI matrix.',
      },
      {
        id: 'Serverless-LambdaLatestVersion',
        reason:
          'Node.js 24 is the pinned Lambda target of this project (docs/architecture.md#invariants); a newer runtime is adopted deliberately, with the CI matrix.',
      },
      {
        id: 'Serverless-LambdaTracing',
        reason:
          'The handlers are not instrumented for X-Ray; events are correlated by eventId in Powertools logs, and active tracing would add a wildcard xray:PutTraceSegments grant for no spans.',
      },
    );
  }
}
