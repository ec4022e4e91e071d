import { failureRate } from '../../lambda/shared';
import { formatDuration, formatTable } from '../cli';
import type { ConsumerBacklog, MetricSummary, PipelineStatus, Section } from './collect';

const MILLIS_PER_SECOND = 1_000;

/** The status screen as text: one block per section, a failed section shows its error. */
export function renderStatus(status: PipelineStatus): string {
  const now = status.at.getTime();
  const blocks = [
    `pipeline ${status.stage} at ${status.at.toISOString()} (stream ${status.streamName}, retention ` +
      `${status.retentionHours.ok ? `${status.retentionHours.value}h` : 'unknown'})`,
    block('ALARMS IN ALARM', status.alarms, (alarms) =>
      alarms.length === 0
        ? 'none'
        : formatTable([
            ['ALARM', 'SINCE', 'REASON'],
            ...alarms.map((alarm) => [
              alarm.name,
              alarm.since ? `${formatDuration(now - alarm.since.getTime())} ago` : '-',
              alarm.reason,
            ]),
          ]),
    ),
    block('ITERATOR AGE, LAST HOUR (latest / max)', combine(status), ([stream, consumers]) =>
      formatTable([
        ['SOURCE', 'ITERATOR AGE', 'OLDEST RECORD TRIMMED IN'],
        [`stream ${status.streamName}`, ages(stream, 1), '-'],
        ...consumers.map((consumer) => [
          `consumer ${consumer.consumer}`,
          ages(consumer.iteratorAgeMillis, 1),
          consumer.untilTrimMillis === undefined ? '-' : formatDuration(consumer.untilTrimMillis),
        ]),
      ]),
    ),
    block('DEAD-LETTER QUEUES', status.queues, (queues) =>
      formatTable([
        ['QUEUE', 'MESSAGES', 'OLDEST (latest / max)', 'REDRIVE BEFORE'],
        ...queues.map((queue) => [
          queue.queueName,
          queue.messages === undefined ? 'missing' : String(queue.messages),
          ages(queue.oldestAgeSeconds, MILLIS_PER_SECOND),
          queue.redriveDeadlineMillis === undefined
            ? '-'
            : `${formatDuration(queue.redriveDeadlineMillis)} left`,
        ]),
      ]),
    ),
    block('BREAKERS', status.breakers, (breakers) =>
      breakers.length === 0
        ? 'none written yet (all CLOSED)'
        : formatTable([
            ['BREAKER', 'STATE', 'FAILURE RATE', 'OPEN FOR'],
            ...breakers.map((item) => [
              item.name,
              item.state,
              item.successes + item.failures === 0 ? '-' : `${(failureRate(item) * 100).toFixed(1)}%`,
              item.state === 'OPEN' ? formatDuration(Math.max(0, item.openUntil - now)) : '-',
            ]),
          ]),
    ),
    ...(status.quarantine === undefined
      ? []
      : [
          block(
            'QUARANTINED KEYS (from the set; to drain = appended - delivered)',
            status.quarantine,
            (keys) =>
              keys.length === 0
                ? 'none'
                : formatTable([
                    ['CONSUMER', 'KEY', 'AGE', 'TO DRAIN', 'PARKED'],
                    ...[...keys]
                      .sort((a, b) => a.since - b.since)
                      .map((key) => [
                        key.consumer,
                        key.key,
                        formatDuration(Math.max(0, now - key.since)),
                        String(key.toDrain),
                        key.parked === undefined ? '-' : JSON.stringify(key.parked),
                      ]),
                  ]),
          ),
        ]),
    `CAPACITY (modeled per shard; docs/capacity.md)\n${formatTable([
      ['CONSUMER', 'RECORDS/S', 'REQUIRED', 'HEADROOM', 'VERDICT'],
      ...status.capacity.map(({ consumer, assessment }) => [
        consumer,
        String(Math.floor(assessment.capacityPerShard)),
        String(assessment.requiredPerShard),
        `${assessment.headroom.toFixed(2)}x`,
        assessment.keepsUp ? 'keeps up' : 'falls behind at peak',
      ]),
    ])}${status.capacity
      .filter((line) => !line.assessment.keepsUp)
      .map((line) => `\n${line.summary}`)
      .join('')}`,
  ];
  return blocks.join('\n\n');
}

/** True when on-call should look: an alarm firing, a DLQ holding messages, a breaker not CLOSED, or a section unreadable. */
export function needsAttention(status: PipelineStatus): boolean {
  const sections: Section<unknown>[] = [status.alarms, status.consumers, status.queues, status.breakers];
  if (status.quarantine !== undefined) sections.push(status.quarantine);
  if (status.quarantine?.ok === true && status.quarantine.value.length > 0) return true;
  if (sections.some((part) => !part.ok)) return true;
  if (status.alarms.ok && status.alarms.value.length > 0) return true;
  if (status.queues.ok && status.queues.value.some((queue) => (queue.messages ?? 0) > 0)) return true;
  return status.breakers.ok && status.breakers.value.some((item) => item.state !== 'CLOSED');
}

function block<T>(title: string, part: Section<T>, render: (value: T) => string): string {
  return `${title}\n${part.ok ? render(part.value) : `unavailable: ${part.error}`}`;
}

function combine(status: PipelineStatus): Section<[MetricSummary, readonly ConsumerBacklog[]]> {
  if (!status.streamIteratorAgeMillis.ok) return status.streamIteratorAgeMillis;
  if (!status.consumers.ok) return status.consumers;
  return { ok: true, value: [status.streamIteratorAgeMillis.value, status.consumers.value] };
}

function ages(summary: MetricSummary, unitMillis: number): string {
  if (summary.latest === undefined || summary.max === undefined) return 'no data';
  return `${formatDuration(summary.latest * unitMillis)} / ${formatDuration(summary.max * unitMillis)}`;
}
