import { type KinesisOnFailureRecord } from '../../contracts';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SchedulerClock } from './scheduler-clock';

const RETRY_DELAY_MILLIS = 200;

/** The mapping's SQS on-failure destination. */
export class OnFailureDestination {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly clock: SchedulerClock,
  ) {}

  /**
   * Sends the invocation record, retrying until SQS accepts it: the records are skipped only after
   * their pointers are safe (no event lost).
   * @returns false if `stopping` aborted before SQS accepted it
   */
  async send(record: KinesisOnFailureRecord, stopping: AbortSignal): Promise<boolean> {
    const body = JSON.stringify(record);
    while (!stopping.aborted) {
      try {
        await this.sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: body }));
        return true;
      } catch {
        await this.clock.sleep(RETRY_DELAY_MILLIS, stopping);
      }
    }
    return false;
  }
}
