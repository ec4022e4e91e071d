import { createSqsServer } from 'local-aws-sqs';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './client-environment';
import { closeServer, LOOPBACK_HOST, loopbackUrl } from './loopback-server';
import { enforceSqsMessageRules } from './sqs-message-rules';
import type { RunningEmulator } from './kinesis-emulator';

/**
 * Starts local-aws-sqs on a free loopback port; queue URLs carry that host and port. Message bodies
 * are held to real SQS's character and size rules (see enforceSqsMessageRules), which the emulator
 * alone does not check.
 */
export async function startSqsEmulator(): Promise<RunningEmulator> {
  const server = await createSqsServer({
    port: 0,
    hostname: LOOPBACK_HOST,
    region: LOCAL_REGION,
    accountId: LOCAL_ACCOUNT_ID,
    // A rerun in the same process may recreate a queue name at once.
    emulateQueueCreationLifecycle: false,
  });
  enforceSqsMessageRules(server);
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('SQS emulator did not bind a port');
  return {
    endpoint: loopbackUrl(address.port),
    stop: () => closeServer(server, () => server.closeAllConnections()),
  };
}
