import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { DownstreamAuthConfig, SigV4Service } from '../../contracts';

/** What a SigV4-signed call needs on its target, per signing service. */
export const SIGV4_INVOKE_ACTIONS: Readonly<Record<SigV4Service, readonly string[]>> = {
  'execute-api': ['execute-api:Invoke'],
  // Function URLs created since October 2025 need both actions
  // (https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html).
  lambda: ['lambda:InvokeFunctionUrl', 'lambda:InvokeFunction'],
  'vpc-lattice-svcs': ['vpc-lattice-svcs:Invoke'],
};

/**
 * Grants a consumer's role exactly what its `downstreamAuth` needs, and nothing for `none`:
 * - `bearer`: `secretsmanager:GetSecretValue` on that secret (its complete ARN), and `kms:Decrypt` on
 *   its customer managed key when one is named, only when Secrets Manager makes the call
 *   (https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html);
 * - `sigv4`: the invoke action of the service on `resourceArn` only (every request path of a VPC Lattice
 *   service: `<resourceArn>/*`).
 */
export function grantDownstreamAuth(role: iam.IRole, auth: DownstreamAuthConfig): void {
  switch (auth.type) {
    case 'none':
      return;
    case 'bearer':
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [auth.secretArn] }),
      );
      if (auth.kmsKeyArn !== undefined) {
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            actions: ['kms:Decrypt'],
            resources: [auth.kmsKeyArn],
            conditions: {
              StringEquals: { 'kms:ViaService': `secretsmanager.${regionOf(auth.secretArn)}.amazonaws.com` },
            },
          }),
        );
      }
      return;
    case 'sigv4':
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: [...SIGV4_INVOKE_ACTIONS[auth.service]],
          // IAM authorizes a VPC Lattice request on the service's ARN followed by the request path
          // (https://docs.aws.amazon.com/vpc-lattice/latest/ug/auth-policies.html, "Resource format").
          resources: [auth.service === 'vpc-lattice-svcs' ? `${auth.resourceArn}/*` : auth.resourceArn],
        }),
      );
      if (auth.service === 'vpc-lattice-svcs') {
        Validations.of(role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${auth.resourceArn}/*]`,
          reason:
            'IAM authorizes a VPC Lattice request on the service ARN followed by the request path; the grant is ' +
            'every path of the one downstream service.',
        });
      }
  }
}

function regionOf(arn: string): string {
  return arn.split(':')[3];
}
