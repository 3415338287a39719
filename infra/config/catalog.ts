/**
 * Instance and node types the platform knows, and the ones each environment may use. A cost and
 * reliability guardrail shared by the config validator and the policy pack; dependency-free so
 * the pack can import it.
 */

export type Environment = "dev" | "prod";

export const environments: readonly Environment[] = ["dev", "prod"];

export interface TypeCatalogue {
    /** Every type AWS offers for this service that the platform can price and operate. */
    readonly known: readonly string[];
    /** Types allowed per environment (a subset of `known`). */
    readonly allowed: Readonly<Record<Environment, readonly string[]>>;
    /** Why a known type is refused everywhere, if it is. */
    readonly refused?: Readonly<Record<string, string>>;
}

export const mskInstanceTypes: TypeCatalogue = {
    known: [
        "kafka.t3.small",
        "kafka.m5.large",
        "kafka.m5.xlarge",
        "kafka.m5.2xlarge",
        "kafka.m5.4xlarge",
        "kafka.m7g.large",
        "kafka.m7g.xlarge",
        "kafka.m7g.2xlarge",
        "kafka.m7g.4xlarge",
    ],
    allowed: {
        dev: ["kafka.t3.small", "kafka.m7g.large", "kafka.m5.large"],
        prod: ["kafka.m5.large", "kafka.m5.xlarge", "kafka.m5.2xlarge", "kafka.m7g.large", "kafka.m7g.xlarge", "kafka.m7g.2xlarge", "kafka.m7g.4xlarge"],
    },
};

export const redshiftNodeTypes: TypeCatalogue = {
    known: ["ra3.large", "ra3.xlplus", "ra3.4xlarge", "ra3.16xlarge", "dc2.large", "dc2.8xlarge"],
    allowed: {
        dev: ["ra3.large", "ra3.xlplus"],
        prod: ["ra3.large", "ra3.xlplus", "ra3.4xlarge"],
    },
    refused: {
        "dc2.large": "DC2 nodes do not support managed storage, data sharing or a customer-managed key rotation without resize; use an RA3 type",
        "dc2.8xlarge": "DC2 nodes do not support managed storage, data sharing or a customer-managed key rotation without resize; use an RA3 type",
    },
};

export const emrInstanceTypes: TypeCatalogue = {
    known: ["m5.xlarge", "m5.2xlarge", "m5.4xlarge", "m6g.xlarge", "m6g.2xlarge", "m6g.4xlarge", "r6g.xlarge", "r6g.2xlarge", "c6g.xlarge", "c6g.2xlarge"],
    allowed: {
        dev: ["m5.xlarge", "m6g.xlarge", "c6g.xlarge"],
        prod: ["m5.xlarge", "m5.2xlarge", "m5.4xlarge", "m6g.xlarge", "m6g.2xlarge", "m6g.4xlarge", "r6g.xlarge", "r6g.2xlarge", "c6g.xlarge", "c6g.2xlarge"],
    },
};

/** Upper bounds per environment on counts that drive cost. */
export const capacityLimits: Readonly<Record<Environment, { readonly mskBrokers: number; readonly kinesisShards: number; readonly warehouseMaxRpu: number; readonly warehouseNodes: number; readonly sparkMaxVcpu: number; readonly batchMaxVcpus: number; readonly emrMaxTaskNodes: number }>> = {
    dev: { mskBrokers: 3, kinesisShards: 4, warehouseMaxRpu: 64, warehouseNodes: 2, sparkMaxVcpu: 32, batchMaxVcpus: 32, emrMaxTaskNodes: 4 },
    prod: { mskBrokers: 12, kinesisShards: 64, warehouseMaxRpu: 512, warehouseNodes: 8, sparkMaxVcpu: 400, batchMaxVcpus: 256, emrMaxTaskNodes: 40 },
};

/** Interface endpoint short names the platform knows, mapped to their service name suffix. */
export const interfaceEndpointServices: Readonly<Record<string, string>> = {
    kms: "kms",
    logs: "logs",
    monitoring: "monitoring",
    sts: "sts",
    sqs: "sqs",
    sns: "sns",
    "kinesis-streams": "kinesis-streams",
    secretsmanager: "secretsmanager",
    glue: "glue",
    "redshift-data": "redshift-data",
    "emr-serverless": "emr-serverless",
    ecr: "ecr.api",
    "ecr-dkr": "ecr.dkr",
    xray: "xray",
    lambda: "lambda",
    states: "states",
};

/** Retention values CloudWatch Logs accepts, in days. */
export const logRetentionValues: readonly number[] = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** Fargate vCPU values and the memory (MiB) each allows, for Batch jobs. */
export const fargateMemoryMb: Readonly<Record<string, { readonly min: number; readonly max: number; readonly step: number }>> = {
    "0.25": { min: 512, max: 2048, step: 512 },
    "0.5": { min: 1024, max: 4096, step: 1024 },
    "1": { min: 2048, max: 8192, step: 1024 },
    "2": { min: 4096, max: 16384, step: 1024 },
    "4": { min: 8192, max: 30720, step: 1024 },
    "8": { min: 16384, max: 61440, step: 4096 },
    "16": { min: 32768, max: 122880, step: 8192 },
};
