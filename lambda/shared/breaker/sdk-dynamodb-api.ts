import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDbApi } from './dynamodb-api';

/**
 * {@link DynamoDbApi} over an SDK v3 client (operator tools, local mode, tests). The command classes
 * are loaded on first use: this module is reachable from the consumer's bundle through
 * lambda/shared, and a static import would put the SDK back into its cold start.
 */
export function sdkDynamoDbApi(client: DynamoDBClient): DynamoDbApi {
  const commands = () => import('@aws-sdk/client-dynamodb');
  return {
    getItem: async (input) => client.send(new (await commands()).GetItemCommand(input)),
    updateItem: async (input) => client.send(new (await commands()).UpdateItemCommand(input)),
    scan: async (input) => client.send(new (await commands()).ScanCommand(input)),
  };
}
