import {
  alarmDefinitions,
  alarmNamePrefix,
  MILLIS_PER_SECOND,
  pipelineCriticalDefinition,
  loadConfig,
  readCdkJsonContext,
  onFailureObjectPrefix,
} from '../../contracts';
import type { PipelineConfig } from '../../contracts';
import { S3Client } from '@aws-sdk/client-s3';
import { redriveFailedBatches, redriveOnFailure } from '../../ops/redrive';
import type { RedriveSummary } from '../../ops/redrive';
import { alarmNotificationVerdicts } from '../../access';
import type { CfnTemplate } from '../../access';
import { AlarmEvaluator, evaluationRangePeriods } from '../alarms';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '../emulators';
import type { ConsumerRig } from './consumer-rig';
import { EventFactory } from './events';
import { checkInvariants, consumerReports, pageExpectations } from './final-checks';
import { unheardPages } from './invariants';
import type { QuarantineLeft, RunRecord } from './final-checks';
import { pendingOf } from '../../lambda/shared';
import { Ledger } from './ledger';
import { MetricsRecorder } from './metrics-recorder';
import type { GameDayOptions } from './options';
import { scheduledEvent, startLocalPipeline } from './pipeline';
import type { LocalPipeline } from './pipeline';
import { readPoisonQueue } from './poison-tracking';
import { redriveUntilDrained } from './redrive-passes';
import { seededRandom } from './prng';
import { loadStageTemplate } from './stage-template';
import { ProducerDriver } from './producer-driver';
import { countCalls, formatProgress, pagingAlarmNames, quarantinedKeysOf } from './progress';
import type { ProgressSnapshot } from './progress';
import { buildReport } from './report';
import type { GameDayReport } from './report';
import { buildScenario, phaseAt, within } from './scenario';
import type { Scenario } from './scenario';
import { every, waitFor } from './wait';
import type { Repeating } from './wait';

/** How the run talks to its caller, and what it may skip when only the no-loss checks matter. */
export interface GameDayIo {
  /** Receives the live progress line (stderr in the CLI). */
  readonly progress?: (line: string) => void;
  /** Receives the same moment as data, once per sample (the live panel and the HTML report's time series). */
  readonly sample?: (snapshot: ProgressSnapshot) => void;
  /** Receives what went wrong in a sample (the run goes on). @default - written through `progress` */
  readonly warn?: (message: string) => void;
  /**
   * Wait after the drain until the expected pages were evaluated and the backlog alarms went back to
   * OK (a few alarm periods). Without it the on-call invariant may be judged before the alarms could
   * fire. @default true
   */
  readonly settleAlarms?: boolean;
  /**
   * Adjusts the stage config before the run, for tests of paths the `local` stage does not take (a
   * low maxRetryAttempts sends batches to the on-failure DLQ and so exercises the redrive).
   * @default - the `local` stage as cdk.json defines it
   */
  readonly adjustConfig?: (config: PipelineConfig) => PipelineConfig;
  /**
   * The synthesized template whose policies decide which alarm notifications are delivered (a test
   * passes one with a hop broken). @default - the `local` stage's, from the source-hash cache
   * (local/gameday/stage-template.ts), synthesized first when the CDK app changed
   */
  readonly template?: CfnTemplate;
}

/**
 * Per alarm name, the refusals of its notification by the template's policies (docs/architecture.md,
 * "Access paths"): local mode delivers a page only through hops the template allows.
 */
export async function refusedNotifications(template: CfnTemplate): Promise<Map<string, readonly string[]>> {
  const verdicts = await alarmNotificationVerdicts(template, {
    account: LOCAL_ACCOUNT_ID,
    region: LOCAL_REGION,
  });
  return new Map([...verdicts.values()].filter((v) => !v.delivered).map((v) => [v.alarmName, v.refusals]));
}

/** The stage local mode runs: the time-scaled profile of the same config the CDK app synthesizes. */
export const LOCAL_STAGE = 'local';
/** Progress, metric sampling and alarm evaluation happen this often (at least once a second). */
const SAMPLE_MILLIS = 1_000;
/** The controller's schedule: once a minute in AWS, scaled down like the rest of the local stage. */
const CONTROLLER_TICK_MILLIS = 1_000;

/** Longest wait for the backlog to drain after producing. */
const DRAIN_TIMEOUT_MILLIS = 60_000;
/**
 * Longest the redrive phase takes: its passes and the waits for the redriven records, however many
 * times a redriven batch fails again (a busy machine re-opens the breaker more often).
 */
const REDRIVE_BUDGET_MILLIS = 180_000;
/** Starting the emulators and the pipeline before a run's clock starts, and stopping them after. */
export const START_STOP_ALLOWANCE_MILLIS = 30_000;
/** Independent random streams: the events must not depend on how many crash draws happened. */
const CRASH_SEED_OFFSET = 0x9e3779b9;
const PRODUCER_SEED_OFFSET = 1;

/** The local stage's config for this run: the chosen consumers and shard count. */
export function stageConfig(
  options: Pick<GameDayOptions, 'consumers' | 'shards' | 'quarantine'>,
): PipelineConfig {
  const config = loadConfig(LOCAL_STAGE, readCdkJsonContext());
  const consumers = (
    options.consumers ? config.consumers.filter((c) => options.consumers!.includes(c.name)) : config.consumers
  ).map((c) =>
    // A stuck-key run turns quarantine on; `--no-quarantine` keeps it off, to show what quarantine changes.
    options.quarantine === undefined
      ? c
      : { ...c, quarantine: { ...c.quarantine, enabled: options.quarantine } },
  );
  return {
    ...config,
    consumers,
    stream: { ...config.stream, shardCount: options.shards ?? config.stream.shardCount },
  };
}

/** The longest the settle phase waits: the alarms' evaluation periods plus two, at the stage's period. */
function settleMillisOf(config: PipelineConfig): number {
  return (config.alarms.evaluationPeriods + 2) * config.alarms.periodSeconds * MILLIS_PER_SECOND;
}

/**
 * The longest a run with these options can take by its own limits: the scenario's load, the drain and
 * the redrive phase (at most REDRIVE_BUDGET_MILLIS), the alarm settle, and the start and
 * stop allowance. A run never takes longer on a slow machine: it gives up and reports what was left
 * (an invariant then breaks). Tests take their timeouts from this instead of a guessed constant, so a
 * busy machine shows the run's own verdict, never a timeout in the middle of it.
 */
export function runBoundMillis(
  options: GameDayOptions,
  config: PipelineConfig = stageConfig(options),
): number {
  return (
    buildScenario(options).producingEndsMillis +
    DRAIN_TIMEOUT_MILLIS +
    REDRIVE_BUDGET_MILLIS +
    settleMillisOf(config) +
    START_STOP_ALLOWANCE_MILLIS
  );
}

/** The phases of a run, in order; each is one function below. */
export type RunPhase = 'produce' | 'drain' | 'redrive' | 'settle';

/** What the phases of one run share: the pipeline, the producer, the ledger and the alarm evaluator. */
interface Run {
  readonly options: GameDayOptions;
  readonly io: GameDayIo;
  readonly pipeline: LocalPipeline;
  readonly scenario: Scenario;
  readonly ledger: Ledger;
  readonly driver: ProducerDriver;
  readonly evaluator: AlarmEvaluator;
  readonly startedAtMillis: number;
  readonly sampler: Repeating;
  readonly tick: Repeating;
  phase: RunPhase;
  /** Per consumer, records the redrive put back on the stream (empty until the redrive phase). */
  readonly redrivenCounts: Map<string, number>;
}

/**
 * Runs one game day: the scenario's load against the local pipeline (real handlers, real controller),
 * then drain, redrive of the on-failure DLQs, a wait for the alarms to settle, and the final checks.
 * @returns the report; `invariantsHeld` says whether the run passed
 */
export async function runGameDay(options: GameDayOptions, io: GameDayIo = {}): Promise<GameDayReport> {
  const scenario = buildScenario(options);
  // Judged before the pipeline starts: a synthesis on a cache miss must not eat into the run.
  const refused = await refusedNotifications(io.template ?? loadStageTemplate(LOCAL_STAGE).template);
  let startedAtMillis = Date.now();
  const pipeline = await startLocalPipeline({
    config: io.adjustConfig ? io.adjustConfig(stageConfig(options)) : stageConfig(options),
    crashRate: options.crashRate,
    crashRandom: seededRandom((options.seed + CRASH_SEED_OFFSET) >>> 0),
    behaviourNow: () => phaseAt(scenario, Date.now() - startedAtMillis).downstream,
    mappingStateChangeDelayMillis: options.mappingStateDelaySeconds * MILLIS_PER_SECOND,
    controllerEventsLost: () => within(scenario.lostControllerEvents, Date.now() - startedAtMillis),
    controllerDown: () => within(scenario.controllerOutage, Date.now() - startedAtMillis),
  });
  try {
    const run = startRun(options, io, pipeline, scenario);
    startedAtMillis = run.startedAtMillis;
    await produce(run);
    await drain(run);
    const redriven = await redrive(run);
    await settle(run);
    return await judge(run, redriven, refused);
  } finally {
    await pipeline.stop();
  }
}

/** Wires the producer, the metrics recorder, the alarm evaluator, the controller tick and the sampler; the run's clock starts here. */
function startRun(options: GameDayOptions, io: GameDayIo, pipeline: LocalPipeline, scenario: Scenario): Run {
  const { config, rigs, history } = pipeline;
  const ledger = new Ledger();
  const startedAtMillis = Date.now();
  const driver = new ProducerDriver({
    streamName: pipeline.resources.streamName,
    client: pipeline.kinesis,
    scenario,
    events: new EventFactory(seededRandom(options.seed), options.seed, options.poisonRate),
    ledger,
    elapsedMillis: () => Date.now() - startedAtMillis,
    random: seededRandom(options.seed + PRODUCER_SEED_OFFSET),
    hotKeyRate: options.hotKeyRate,
    rate: options.rate,
  });
  const recorder = new MetricsRecorder({
    store: pipeline.store,
    sqs: pipeline.sqs,
    stage: config.stage,
    metricsNamespace: config.metricsNamespace,
    streamName: pipeline.resources.streamName,
    controllerFunctionName: pipeline.resources.controllerFunctionName,
    breakers: [...new Set(rigs.map((rig) => rig.config.breakerName))],
    consumers: rigs.map((rig) => rig.config.name),
    queues: [
      ...rigs.flatMap((rig) => [rig.resources.poisonQueue, rig.resources.onFailureQueue]),
      pipeline.resources.failedBatchNotices,
    ],
    history,
    producerThrottled: () => driver.counters.throttled,
  });
  const definitions = alarmDefinitions(config, pipeline.alarmResources);
  const periodMillis = config.alarms.periodSeconds * MILLIS_PER_SECOND;
  const longestRange = Math.max(...definitions.map((d) => evaluationRangePeriods(d.evaluationPeriods)));
  recorder.recordIdleHistory(startedAtMillis - longestRange * periodMillis, startedAtMillis, periodMillis);
  const evaluator = new AlarmEvaluator(definitions, pipeline.store, startedAtMillis, [
    pipelineCriticalDefinition(config, pipeline.alarmResources),
  ]);
  const tick = every(
    CONTROLLER_TICK_MILLIS,
    () => pipeline.controller(scheduledEvent()),
    () => {},
  );
  pipeline.onStop(() => tick.stop());
  let controllerErrorsSeen = 0;
  const run: Run = {
    options,
    io,
    pipeline,
    scenario,
    ledger,
    driver,
    evaluator,
    startedAtMillis,
    tick,
    phase: 'produce',
    redrivenCounts: new Map(),
    sampler: every(
      SAMPLE_MILLIS,
      async () => {
        const now = Date.now();
        pipeline.emulators.dynamodb.setUnavailable(within(scenario.storeOutage, now - startedAtMillis));
        for (const at of pipeline.controllerErrorsAt.slice(controllerErrorsSeen))
          recorder.controllerError(at);
        controllerErrorsSeen = pipeline.controllerErrorsAt.length;
        await recorder.sample(now);
        const ages = await Promise.all(rigs.map((rig) => rig.mapping.measureOldestUnprocessedAgeMillis()));
        // One strongly consistent GetItem per consumer and sample, as `npm run status` reads the set.
        const quarantineSets = await Promise.all(
          rigs.map((rig) =>
            rig.quarantine === undefined
              ? Promise.resolve(undefined)
              : rig.quarantine.store.read().catch(() => undefined),
          ),
        );
        evaluator.advanceTo(now);
        const unprefixed = (name: string): string => name.replace(alarmNamePrefix(config.stage), '');
        const paging = pagingAlarmNames(evaluator.histories());
        const inAlarm = evaluator.inAlarm();
        const snapshot: ProgressSnapshot = {
          elapsedMillis: now - startedAtMillis,
          phase: run.phase === 'produce' ? phaseAt(scenario, now - startedAtMillis).name : run.phase,
          sent: ledger.sent,
          consumers: rigs.map((rig, i) => {
            const { calls, errors } = countCalls(rig.downstream.log.calls);
            return {
              name: rig.config.name,
              delivered: rig.downstream.log.delivered,
              backlog: backlogOf(rig, ledger),
              oldestUnprocessedAgeMillis: ages[i],
              breakerState: history.stateOf(rig.config.breakerName),
              poisonDlqDepth: recorder.depthOf(rig.resources.poisonQueue.name),
              onFailureDlqDepth: recorder.depthOf(rig.resources.onFailureQueue.name),
              downstreamCalls: calls,
              downstreamErrors: errors,
              redriven: run.redrivenCounts.get(rig.config.name) ?? 0,
              mappingEnabled: rig.mapping.stats().enabled,
              ...(quarantineSets[i] === undefined
                ? {}
                : { quarantined: quarantinedKeysOf(quarantineSets[i], now) }),
            };
          }),
          alarmsInAlarm: inAlarm.map(unprefixed),
          pagingAlarms: inAlarm.filter((name) => paging.has(name)).map(unprefixed),
          phases: scenario.phases.map(({ name, startMillis, endMillis }) => ({
            name,
            startMillis,
            endMillis,
          })),
        };
        io.sample?.(snapshot);
        io.progress?.(formatProgress(snapshot));
      },
      (error) => {
        const message = `sampling failed: ${error instanceof Error ? error.message : String(error)}`;
        if (io.warn) io.warn(message);
        else io.progress?.(message);
      },
    ),
  };
  pipeline.onStop(() => run.sampler.stop());
  return run;
}

/** Starts the mappings and runs the scenario's load to its end. */
async function produce(run: Run): Promise<void> {
  const { rigs } = run.pipeline;
  await Promise.all(rigs.map((rig) => rig.mapping.start()));
  for (const rig of rigs) rig.quarantine?.drainer.start();
  run.pipeline.onStop(async () => {
    await Promise.all(rigs.map((rig) => rig.mapping.stop()));
    await Promise.all(rigs.map((rig) => rig.quarantine?.drainer.stop() ?? Promise.resolve()));
  });
  await run.driver.start();
}

/**
 * Waits until each consumer delivered or parked everything, except what its mapping gave up on and
 * pointed to in the on-failure DLQ (the redrive's job), with nothing left buffered.
 */
async function drain(run: Run): Promise<void> {
  run.phase = 'drain';
  const drained = (): boolean =>
    run.pipeline.rigs.every((rig) => {
      const backlog = backlogOf(rig, run.ledger);
      const stats = rig.mapping.stats();
      return backlog === 0 || (stats.recordsBuffered === 0 && backlog <= stats.recordsSentToOnFailure);
    });
  await waitFor(drained, DRAIN_TIMEOUT_MILLIS);
}

/**
 * Redrives the on-failure DLQs until every record came through (the redriven ones are back in the
 * stream), pass after pass while a redriven batch fails again, within REDRIVE_BUDGET_MILLIS
 * (local/gameday/redrive-passes.ts).
 */
async function redrive(run: Run): Promise<Map<string, Set<string>>> {
  run.phase = 'redrive';
  const totals = new Map<string, Set<string>>();
  return redriveUntilDrained({
    targets: run.pipeline.rigs.map((rig) => ({
      backlog: () => backlogOf(rig, run.ledger),
      recordsBuffered: () => rig.mapping.stats().recordsBuffered,
      recordsSentToOnFailure: () => rig.mapping.stats().recordsSentToOnFailure,
    })),
    pass: async () => {
      const ids = await redriveAll(run.pipeline, run.ledger);
      for (const [consumer, passIds] of ids) {
        const all = totals.get(consumer) ?? new Set<string>();
        for (const id of passIds) all.add(id);
        totals.set(consumer, all);
        run.redrivenCounts.set(consumer, all.size);
      }
      return ids;
    },
    waitFor,
    now: Date.now,
    budgetMillis: REDRIVE_BUDGET_MILLIS,
  });
}

/**
 * Waits until every expected page was evaluated and the backlog alarms went back to OK. DLQ alarms
 * stay in ALARM until someone handles the messages, which is the point of them.
 */
async function settle(run: Run): Promise<void> {
  run.phase = 'settle';
  const { config, rigs, history } = run.pipeline;
  const periodMillis = config.alarms.periodSeconds * MILLIS_PER_SECOND;
  const settleMillis = settleMillisOf(config);
  const live = {
    startedAtMillis: run.startedAtMillis,
    scenario: run.scenario,
    ledger: run.ledger,
    rigs,
    history,
    alarmPeriodMillis: periodMillis,
    cacheTtlMillis: config.breaker.cacheTtlMillis,
    evaluationPeriods: config.alarms.evaluationPeriods,
    pausedMaxMillis: config.alarms.consumerPausedMaxSeconds * MILLIS_PER_SECOND,
    stage: config.stage,
    breakerMinimumCalls: config.breaker.minimumCalls,
    shardCount: run.pipeline.resources.shardCount,
  };
  const parkedCount = (name: string): number => rigs.find((r) => r.config.name === name)?.parked.size ?? 0;
  await waitFor(() => {
    if (run.io.settleAlarms === false) return true;
    const now = Date.now();
    const pending = pageExpectations(live, now, parkedCount).filter(
      (expectation) =>
        now <= expectation.untilMillis && unheardPages([expectation], run.evaluator.histories()).length > 0,
    );
    // DLQ alarms stay in ALARM until handled; the composite follows its on-failure DLQ members. The
    // failed-batch alarms count notices the redrive deleted: they go back to OK with the queue.
    const paging = run.evaluator
      .inAlarm()
      .filter(
        (name) =>
          !/-dlq-(messages|age)$/.test(name) &&
          !name.endsWith('-pipeline-critical') &&
          !/-failed-batches-new$/.test(name),
      );
    return pending.length === 0 && paging.length === 0;
  }, settleMillis);
}

/** Stops the run, reads the poison queues and judges the invariants into the report. */
async function judge(
  run: Run,
  redriven: Map<string, Set<string>>,
  refused: ReadonlyMap<string, readonly string[]>,
): Promise<GameDayReport> {
  const { config, rigs, history } = run.pipeline;
  await run.sampler.stop();
  const endedAtMillis = Date.now();
  run.evaluator.advanceTo(endedAtMillis);
  await run.tick.stop();
  await Promise.all(rigs.map((rig) => rig.mapping.stop()));
  await Promise.all(rigs.map((rig) => rig.quarantine?.drainer.stop() ?? Promise.resolve()));

  const quarantinedAtEnd = new Map<string, QuarantineLeft>();
  for (const rig of rigs) {
    const set = await rig.quarantine?.store.read().catch(() => undefined);
    if (set === undefined) continue;
    const records = [...set.values()].reduce((sum, entry) => sum + pendingOf(entry), 0);
    quarantinedAtEnd.set(rig.config.name, { keys: set.size, records });
  }
  const poisonDlq = new Map<string, Set<string>>();
  for (const rig of rigs) {
    poisonDlq.set(rig.config.name, await readPoisonQueue(run.pipeline.sqs, rig.resources.poisonQueue.url));
  }
  const record: RunRecord = {
    startedAtMillis: run.startedAtMillis,
    scenario: run.scenario,
    ledger: run.ledger,
    rigs,
    history,
    alarms: run.evaluator.histories(),
    poisonDlq,
    redriven,
    alarmPeriodMillis: config.alarms.periodSeconds * MILLIS_PER_SECOND,
    evaluationPeriods: config.alarms.evaluationPeriods,
    pausedMaxMillis: config.alarms.consumerPausedMaxSeconds * MILLIS_PER_SECOND,
    stage: config.stage,
    cacheTtlMillis: config.breaker.cacheTtlMillis,
    endedAtMillis,
    breakerMinimumCalls: config.breaker.minimumCalls,
    shardCount: run.pipeline.resources.shardCount,
    slowStartMillis: config.breaker.slowStartMillis,
    refusedNotifications: refused,
    quarantinedAtEnd,
  };
  const consumers = consumerReports(record);
  return buildReport({
    seed: run.options.seed,
    options: {
      ...run.options,
      shards: run.pipeline.resources.shardCount,
      consumers: rigs.map((r) => r.config.name),
    },
    startedAtMillis: run.startedAtMillis,
    endedAtMillis,
    eventsInStream: run.ledger.sent,
    producerFailures: run.ledger.producerFailures,
    consumers,
    alarms: record.alarms,
    transitions: history.transitions(),
    invariants: checkInvariants(record, consumers, endedAtMillis),
    lostControllerRecords: run.pipeline.lostControllerRecords.count,
    controllerErrors: run.pipeline.controllerErrorsAt.length,
    phases: run.scenario.phases.map((p) => ({
      name: p.name,
      startMillis: p.startMillis,
      endMillis: p.endMillis,
    })),
  });
}

/** Events in the stream the consumer has neither delivered nor parked in its poison queue yet. */
function backlogOf(rig: ConsumerRig, ledger: Ledger): number {
  let backlog = 0;
  for (const entry of ledger.inStream()) {
    const id = entry.event.eventId;
    if (!rig.downstream.log.hasDelivered(id) && !rig.parked.has(id)) backlog++;
  }
  return backlog;
}

/**
 * Redrives every consumer's on-failure destination with the operations tool: from the bucket, the
 * records of each object its mapping wrote (under `aws/lambda/<mapping UUID>/`); from a queue, the
 * records re-read from the stream by sequence range. @returns per consumer, the eventIds put back
 */
async function redriveAll(pipeline: LocalPipeline, ledger: Ledger): Promise<Map<string, Set<string>>> {
  const redriven = new Map<string, Set<string>>();
  const s3 = new S3Client(pipeline.emulators.clientConfig.s3);
  for (const rig of pipeline.rigs) {
    const ids = new Set<string>();
    const summary: RedriveSummary =
      rig.config.onFailureDestination === 's3'
        ? await redriveFailedBatches({
            bucket: pipeline.resources.failedBatchBucket,
            prefixes: [onFailureObjectPrefix(rig.mapping.uuid)],
            s3,
            kinesis: pipeline.kinesis,
            streamName: pipeline.resources.streamName,
            notices: { sqs: pipeline.sqs, queueUrl: pipeline.resources.failedBatchNotices.url },
          })
        : await redriveOnFailure({
            queueUrl: rig.resources.onFailureQueue.url,
            sqs: pipeline.sqs,
            kinesis: pipeline.kinesis,
            streamName: pipeline.resources.streamName,
          });
    for (const outcome of summary.outcomes) {
      if (outcome.status !== 'redriven' || outcome.range === undefined) continue;
      const { shardId, startSequenceNumber, endSequenceNumber } = outcome.range;
      for (const entry of ledger.inStream()) {
        const position = entry.position!;
        const sequence = BigInt(position.sequenceNumber);
        if (
          position.shardId === shardId &&
          sequence >= BigInt(startSequenceNumber) &&
          sequence <= BigInt(endSequenceNumber)
        ) {
          ids.add(entry.event.eventId);
        }
      }
    }
    redriven.set(rig.config.name, ids);
  }
  s3.destroy();
  return redriven;
}
