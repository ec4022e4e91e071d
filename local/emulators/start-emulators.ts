import {
  emulatorEnvironment,
  localClientConfig,
  type EmulatorEndpoints,
  type LocalClientConfig,
} from './client-environment';
import { startDynamoDbEmulator, type DynamoDbEmulator } from './dynamodb-emulator';
import { startKinesisEmulator, type RunningEmulator } from './kinesis-emulator';
import { startS3Emulator } from './s3-emulator';
import { startSqsEmulator } from './sqs-emulator';

/** Kinesis, DynamoDB, SQS and S3 emulators running in this process on 127.0.0.1. */
export interface Emulators {
  readonly endpoints: EmulatorEndpoints;
  /** AWS_ENDPOINT_URL_KINESIS/_DYNAMODB/_SQS/_S3, dummy credentials, AWS_REGION; see applyEnvironment. */
  readonly env: Readonly<Record<string, string>>;
  /** Per-service client config, for clients built without touching process.env. */
  readonly clientConfig: {
    readonly kinesis: LocalClientConfig;
    readonly dynamodb: LocalClientConfig;
    readonly sqs: LocalClientConfig;
    readonly s3: LocalClientConfig;
  };
  /** The DynamoDB fault switch (`--store-outage-seconds`). */
  readonly dynamodb: Pick<DynamoDbEmulator, 'setUnavailable' | 'isUnavailable'>;
  /** Stops every emulator; their in-memory data is gone. */
  stop(): Promise<void>;
}

/**
 * Starts the four emulators, each on a free loopback port.
 * @example
 * const emulators = await startEmulators();
 * const restore = applyEnvironment(emulators.env);
 * try { ... } finally { restore(); await emulators.stop(); }
 */
export async function startEmulators(): Promise<Emulators> {
  const started: RunningEmulator[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.all(started.map((emulator) => emulator.stop()));
  };
  try {
    const kinesis = await startKinesisEmulator();
    started.push(kinesis);
    const dynamodb = await startDynamoDbEmulator();
    started.push(dynamodb);
    const sqs = await startSqsEmulator();
    started.push(sqs);
    const s3 = await startS3Emulator();
    started.push(s3);
    const endpoints = {
      kinesis: kinesis.endpoint,
      dynamodb: dynamodb.endpoint,
      sqs: sqs.endpoint,
      s3: s3.endpoint,
    };
    return {
      endpoints,
      env: emulatorEnvironment(endpoints),
      clientConfig: {
        kinesis: localClientConfig(kinesis.endpoint),
        dynamodb: localClientConfig(dynamodb.endpoint),
        sqs: localClientConfig(sqs.endpoint),
        s3: localClientConfig(s3.endpoint),
      },
      dynamodb: { setUnavailable: dynamodb.setUnavailable, isUnavailable: dynamodb.isUnavailable },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
