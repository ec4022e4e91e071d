import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { amzDate, SigV4Signer } from '../lambda/shared';
import { benchmarkBatch } from './records';
import { summarize, type SampleSummary } from './stats';

/** CPU time per SigV4 signature of one downstream call: ours, and the AWS SDK's signer on the same request. */
export interface SigningCost {
  readonly oursCpuMicros: SampleSummary;
  readonly sdkCpuMicros: SampleSummary;
}

const SIGNATURES_PER_SAMPLE = 2_000;
const WARM_UP_SIGNATURES = 500;
const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'bench-secret',
  sessionToken: 'bench-token',
};

/**
 * What a `sigv4` downstream pays per record to sign its call (a Lambda function URL, one benchmark
 * event as the body), by CPU time so that a busy machine does not inflate it. The SDK's signer
 * (@smithy/signature-v4 with its JavaScript SHA-256, what the consumer used before) is the reference.
 */
export async function measureSigning(samples: number): Promise<SigningCost> {
  const url = new URL('https://abcdefghij.lambda-url.eu-west-1.on.aws/events');
  const body = Buffer.from(benchmarkBatch(1).Records[0].kinesis.data, 'base64').toString('utf8');
  const headers = { 'content-type': 'application/json', 'idempotency-key': 'evt-000001' };
  const ours = new SigV4Signer({ service: 'lambda', region: 'eu-west-1', doubleEncodePath: false });
  const sdk = new SignatureV4({
    service: 'lambda',
    region: 'eu-west-1',
    credentials: CREDENTIALS,
    sha256: Sha256,
  });
  const signOurs = (): Promise<unknown> =>
    Promise.resolve(ours.sign({ method: 'POST', url, headers, body }, CREDENTIALS, amzDate(Date.now())));
  const signSdk = (): Promise<unknown> =>
    sdk.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      path: url.pathname,
      headers: { ...headers, host: url.host },
      body,
    });
  await cpuMicrosPerCall(signOurs, WARM_UP_SIGNATURES);
  await cpuMicrosPerCall(signSdk, WARM_UP_SIGNATURES);
  const oursSamples: number[] = [];
  const sdkSamples: number[] = [];
  // Alternating, so that drift on the machine hits both.
  for (let sample = 0; sample < samples; sample++) {
    oursSamples.push(await cpuMicrosPerCall(signOurs, SIGNATURES_PER_SAMPLE));
    sdkSamples.push(await cpuMicrosPerCall(signSdk, SIGNATURES_PER_SAMPLE));
  }
  return { oursCpuMicros: summarize(oursSamples), sdkCpuMicros: summarize(sdkSamples) };
}

async function cpuMicrosPerCall(call: () => Promise<unknown>, calls: number): Promise<number> {
  const start = process.cpuUsage();
  for (let index = 0; index < calls; index++) await call();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / calls;
}
