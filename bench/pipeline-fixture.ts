import {
  type ConsumerSettings,
  loadConfig,
  readCdkJsonContext,
  type ConsumerConfig,
  type PipelineConfig,
  consumerSettingsFor,
} from '../contracts';
import {
  createPipelineResources,
  startEmulators,
  type Emulators,
  type LocalPipelineResources,
} from '../local/emulators';

/** The stage and consumer measured: what `cdk deploy` ships by default. */
export const BENCH_STAGE = 'dev';
export const BENCH_CONSUMER = 'orders';

/** The emulators with the stage's table and queues, and the settings the measured consumer runs with. */
export interface PipelineFixture {
  readonly config: PipelineConfig;
  readonly consumer: ConsumerConfig;
  readonly emulators: Emulators;
  readonly resources: LocalPipelineResources;
  /** The consumer's settings with the emulators' table and poison queue in place of the deployed ones. */
  readonly settings: ConsumerSettings;
  stop(): Promise<void>;
}

export async function startPipelineFixture(): Promise<PipelineFixture> {
  const config = loadConfig(BENCH_STAGE, readCdkJsonContext());
  const consumer = config.consumers.find((candidate) => candidate.name === BENCH_CONSUMER);
  if (!consumer) throw new Error(`stage ${BENCH_STAGE} has no consumer named ${BENCH_CONSUMER}`);
  const emulators = await startEmulators();
  try {
    const resources = await createPipelineResources(config, emulators.clientConfig);
    const queues = resources.consumers.find((candidate) => candidate.name === BENCH_CONSUMER);
    if (!queues) throw new Error(`no local resources for consumer ${BENCH_CONSUMER}`);
    const settings = consumerSettingsFor(config, consumer, {
      poisonQueueUrl: queues.poisonQueue.url,
      breakerTableName: resources.breakerTableName,
    });
    return { config, consumer, emulators, resources, settings, stop: () => emulators.stop() };
  } catch (error) {
    await emulators.stop();
    throw error;
  }
}
