/** Lambda's SQS event source for a FIFO queue, as the quarantine drainer's mapping runs it locally. */
export {
  failedIdsOf,
  SqsEventSourceMapping,
  type SqsEventSourceMappingOptions,
  type SqsEventSourceStats,
  type SqsHandlerFunction,
} from './sqs-event-source-mapping';
export { FifoGroupOrder, type GroupedMessage, type GroupVerdict } from './fifo-group-order';
