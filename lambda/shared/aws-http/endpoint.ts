/** The endpoint configuration is unusable: no region, or an endpoint URL that is not one. */
export class EndpointConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EndpointConfigError';
  }
}

/** Regions of the isolated partitions (us-iso-east-1, us-isob-east-1, eu-isoe-west-1, us-isof-south-1). */
const ISOLATED_REGION = /^[a-z]{2}-iso[a-z]?-/;

/**
 * The URL of an AWS service for the environment, resolved as the SDKs do for a service-specific
 * endpoint: `AWS_ENDPOINT_URL_<SERVICE>`, then `AWS_ENDPOINT_URL`
 * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html), else the Region's
 * public endpoint `https://<service>.<region>.amazonaws.com`, `.amazonaws.com.cn` in the China
 * Regions (https://docs.aws.amazon.com/general/latest/gr/ddb.html,
 * https://docs.amazonaws.cn/en_us/general/latest/gr/rande.html).
 * @param envName - the service's part of the variable name, e.g. `DYNAMODB`
 * @throws {EndpointConfigError} when a configured URL does not parse, or without a Region
 */
export function serviceEndpoint(
  service: { readonly hostPrefix: string; readonly envName: string },
  region: string,
  env: NodeJS.ProcessEnv,
): URL {
  const configured = env[`AWS_ENDPOINT_URL_${service.envName}`] || env.AWS_ENDPOINT_URL;
  if (configured) {
    if (!URL.canParse(configured)) {
      throw new EndpointConfigError(`endpoint URL ${JSON.stringify(configured)} is not a URL`);
    }
    return new URL(configured);
  }
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
    throw new EndpointConfigError(
      `Region ${JSON.stringify(region)} is not a Region name such as us-east-1; set AWS_REGION`,
    );
  }
  if (ISOLATED_REGION.test(region)) {
    throw new EndpointConfigError(
      `Region ${region} is in an isolated partition, whose DNS suffix is not public; ` +
        `set AWS_ENDPOINT_URL_${service.envName}`,
    );
  }
  const dnsSuffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return new URL(`https://${service.hostPrefix}.${region}.${dnsSuffix}/`);
}
