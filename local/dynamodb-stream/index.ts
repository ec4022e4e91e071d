export {
  DynamoDbTableChangeFeed,
  type DynamoDbStreamHandlerFunction,
  type TableChangeFeedOptions,
  type TableChangeFeedStats,
} from './table-change-feed';
