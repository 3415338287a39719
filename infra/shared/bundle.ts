/**
 * Packages the event-driven functions' closures (stream ingest, API connectors, file ingest,
 * change-file landing) never load, left out of their Lambda bundles to keep them small: the
 * program's own tooling (awsx, the policy pack, the local CLIs' helpers), the Kafka clients, the
 * PostgreSQL driver and the AWS SDK clients only the orchestration and Spark steps use.
 */
export const sourceFunctionBundleExclusions: readonly string[] = [
    "@pulumi/awsx",
    "@pulumi/policy",
    "@aws-sdk/client-emr-serverless",
    "@aws-sdk/client-glue",
    "@aws-sdk/client-kinesis",
    "@aws-sdk/client-redshift-data",
    "@aws-sdk/client-sqs",
    "aws-msk-iam-sasl-signer-js",
    "cli-progress",
    "js-yaml",
    "kafkajs",
    "pg",
];
