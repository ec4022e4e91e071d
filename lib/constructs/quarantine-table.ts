import { Aws, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { QUARANTINE_TABLE_PARTITION_KEY, QUARANTINE_TABLE_SORT_KEY } from '../../contracts';

/**
 * What a consumer and its drainer send to their own partition: the view's and the count's Query, the
 * enter's PutItem, the append's, mark's and park's UpdateItem, and the release's DeleteItem
 * (lambda/shared/quarantine/dynamodb-store.ts).
 */
export const QUARANTINE_PARTITION_ACTIONS = [
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
];
/** The controller's tick only counts each consumer's set. */
export const QUARANTINE_CENSUS_ACTIONS = ['dynamodb:Query'];
/**
 * What a caller of a table encrypted with a customer managed key needs on the key, as CDK's own table
 * grants give it (read and write): DynamoDB uses the key for the caller.
 */
export const QUARANTINE_KEY_ACTIONS = [
  'kms:Decrypt',
  'kms:DescribeKey',
  'kms:Encrypt',
  'kms:GenerateDataKey*',
  'kms:ReEncrypt*',
];

export interface QuarantineTableProps {
  /** Physical table name. */
  readonly tableName: string;
  /** The stack's key: the items hold partition keys, which may be customer data. */
  readonly encryptionKey: kms.IKey;
  /**
   * What happens to the table when the stack is deleted or the table replaced.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The per-key quarantine's state (docs/architecture.md, "Per-key quarantine", "The table"): one item per
 * quarantined key, partition key the consumer, sort key the Kinesis partition key, so a breaker request
 * never pays for the set and a write to one key costs that key's item only. On-demand, point-in-time
 * recovery, encrypted with the stack's key; no stream (nothing reacts to its changes: the controller
 * counts the sets on its tick) and no TTL (an entry leaves only when its records are delivered or an
 * operator removes it). Each consumer's and drainer's role gets only its own partition
 * ({@link grantPartition}).
 */
export class QuarantineTable extends Construct {
  readonly table: dynamodb.Table;
  private readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string, props: QuarantineTableProps) {
    super(scope, id);
    this.encryptionKey = props.encryptionKey;
    this.table = new dynamodb.Table(this, 'Table', {
      tableName: props.tableName,
      partitionKey: { name: QUARANTINE_TABLE_PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      sortKey: { name: QUARANTINE_TABLE_SORT_KEY, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.encryptionKey,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
      // As the breaker table (lib/constructs/breaker-table.ts): no deletion protection, so a failed first
      // create can roll back; the stack's retain policy and PITR keep the data otherwise.
      deletionProtection: false,
    });
  }

  /**
   * Lets `grantee` send `actions` to the items of one consumer's partition only: the
   * `dynamodb:LeadingKeys` condition holds the request's partition keys to `consumerName`
   * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html). With
   * ForAllValues an absent key would match vacuously, so the statement also requires the key to be
   * present: every action granted here names the partition in its request.
   */
  grantPartition(grantee: iam.IGrantable, consumerName: string, actions: readonly string[]): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [...actions],
        resources: [this.table.tableArn],
        conditions: {
          'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [consumerName] },
          Null: { 'dynamodb:LeadingKeys': 'false' },
        },
      }),
    );
    this.grantKey(grantee);
  }

  /** Lets `grantee` send `actions` to every consumer's partition (the controller's census). */
  grantAllPartitions(grantee: iam.IGrantable, actions: readonly string[]): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: [...actions], resources: [this.table.tableArn] }),
    );
    this.grantKey(grantee);
  }

  /** The key, only through DynamoDB in this region (`kms:ViaService`): the role's other uses have their own grants. */
  private grantKey(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: QUARANTINE_KEY_ACTIONS,
        resources: [this.encryptionKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Aws.REGION}.amazonaws.com` } },
      }),
    );
  }
}
