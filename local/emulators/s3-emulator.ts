import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { DUMMY_ACCOUNT } from 's3rver/lib/models/account';
import { LOCAL_CREDENTIALS } from './client-environment';
import type { RunningEmulator } from './kinesis-emulator';
import { LOOPBACK_HOST, loopbackUrl } from './loopback-server';

/**
 * Starts s3rver (maintained, pure JS, in process; it validates bucket names and speaks the S3 REST API
 * the SDK v3 client uses) on a free loopback port, storing objects in a temporary folder removed on
 * stop. Clients reach it path-style: the SDK uses path-style addressing for an IP-address endpoint.
 */
export async function startS3Emulator(): Promise<RunningEmulator> {
  // s3rver checks SigV4 signatures against the keys it knows: teach it the local dummy credentials,
  // which every other emulator accepts, so clients need no S3-only credentials.
  DUMMY_ACCOUNT.createKeyPair(LOCAL_CREDENTIALS.accessKeyId, LOCAL_CREDENTIALS.secretAccessKey);
  const directory = mkdtempSync(join(tmpdir(), 's3rver-'));
  const server = new S3rver({ port: 0, address: LOOPBACK_HOST, silent: true, directory });
  try {
    const { port } = await server.run();
    return {
      endpoint: loopbackUrl(port),
      stop: async () => {
        await server.close();
        rmSync(directory, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(directory, { recursive: true, force: true });
    throw error;
  }
}
