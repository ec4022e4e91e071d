/** The parts of a synthesized CloudFormation template the access-path check reads. */
export interface CfnTemplate {
  readonly Resources: Readonly<Record<string, CfnResource>>;
}

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
  readonly Metadata?: Readonly<Record<string, unknown>>;
}

/** Where the template is deployed: what the pseudo parameters (`AWS::AccountId`, ...) resolve to. */
export interface AwsEnvironment {
  readonly account: string;
  readonly region: string;
  /** @default 'aws' */
  readonly partition?: string;
}

/** An IAM policy document as the template holds it once its intrinsics are resolved. */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: readonly Record<string, unknown>[];
}

/** The value of a resource's property, or undefined when absent. */
export function propertyOf(resource: CfnResource, name: string): unknown {
  return resource.Properties?.[name];
}
