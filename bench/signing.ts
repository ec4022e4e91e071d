import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { SigV4Authorizer } from '../lambda/consumer';
import { benchmarkBatch } from './records';
import { summarize, type SampleSummary } from './stats';

/**
 * CPU time per SigV4 signature of one downstream call: the consumer's (the SDK's signer with Node's
 * native SHA-256, @smithy/hash-node), and the same signer with the JavaScript SHA-256 as a reference.
 */
export interface SigningCost {
  readonly oursCpuMicros: SampleSummary;
  readonly jsSha256CpuMicros: SampleSummary;
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
 * event as the body), by CPU time so that a busy machine does not inflate it. Ours is the consumer's
 * own SigV4Authorizer; the reference is @smithy/signature-v4 with @aws-crypto/sha256-js, the hash the
 * signer falls back to where no native one is given.
 */
export async function measureSigning(samples: number): Promise<SigningCost> {
  const url = new URL('https://abcdefghij.lambda-url.eu-west-1.on.aws/events');
  const body = Buffer.from(benchmarkBatch(1).Records[0].kinesis.data, 'base64').toString('utf8');
  const headers = { 'content-type': 'application/json', 'idempotency-key': 'evt-000001' };
  const ours = new SigV4Authorizer({
    service: 'lambda',
    region: 'eu-west-1',
    credentials: () => Promise.resolve(CREDENTIALS),
  });
  const jsHash = new SignatureV4({
    service: 'lambda',
    region: 'eu-west-1',
    credentials: CREDENTIALS,
    sha256: Sha256,
    uriEscapePath: false,
  });
  const signOurs = (): Promise<unknown> => ours.authorize({ url: url.href, headers, body });
  const signJsHash = (): Promise<unknown> =>
    jsHash.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      path: url.pathname,
      headers: { ...headers, host: url.host },
      body,
    });
  await cpuMicrosPerCall(signOurs, WARM_UP_SIGNATURES);
  await cpuMicrosPerCall(signJsHash, WARM_UP_SIGNATURES);
  const oursSamples: number[] = [];
  const jsHashSamples: number[] = [];
  // Alternating, so that drift on the machine hits both.
  for (let sample = 0; sample < samples; sample++) {
    oursSamples.push(await cpuMicrosPerCall(signOurs, SIGNATURES_PER_SAMPLE));
    jsHashSamples.push(await cpuMicrosPerCall(signJsHash, SIGNATURES_PER_SAMPLE));
  }
  return { oursCpuMicros: summarize(oursSamples), jsSha256CpuMicros: summarize(jsHashSamples) };
}

async function cpuMicrosPerCall(call: () => Promise<unknown>, calls: number): Promise<number> {
  const start = process.cpuUsage();
  for (let index = 0; index < calls; index++) await call();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / calls;
}
