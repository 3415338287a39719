import { EnforcementLevel, Policies } from "@pulumi/policy";
import { athenaPolicies } from "./athena";
import { batchPolicies } from "./batch";
import { budgetPolicies } from "./budget";
import { cloudtrailPolicies } from "./cloudtrail";
import { cloudwatchPolicies } from "./cloudwatch";
import { costPolicies } from "./cost";
import { ec2Policies } from "./ec2";
import { ecrPolicies } from "./ecr";
import { emrPolicies } from "./emr";
import { firehosePolicies } from "./firehose";
import { gluePolicies } from "./glue";
import { iamPolicies } from "./iam";
import { kinesisPolicies } from "./kinesis";
import { kmsPolicies } from "./kms";
import { lakeformationPolicies } from "./lakeformation";
import { lambdaPolicies } from "./lambda";
import { dmsPolicies } from "./dms";
import { mskPolicies } from "./msk";
import { mwaaPolicies } from "./mwaa";
import { protectionPolicies } from "./protection";
import { rdsPolicies } from "./rds";
import { redshiftPolicies } from "./redshift";
import { s3Policies } from "./s3";
import { schedulerPolicies } from "./scheduler";
import { secretsmanagerPolicies } from "./secretsmanager";
import { sfnPolicies } from "./sfn";
import { snsPolicies } from "./sns";
import { sqsPolicies } from "./sqs";
import { taggingPolicies } from "./tagging";

/**
 * The pack's policies, in one list the entry point registers and the tests and the offline runner
 * import (only `index.ts` may call `new PolicyPack`: one pack per process, and constructing it
 * starts the analyzer's gRPC server).
 */
export const packName = "etl-platform-guardrails";

export const packDescription =
    "Guardrails of the ETL data platform: security, data safety, reliability, governance and cost checks for S3, KMS, IAM, MSK, Kinesis, Firehose, Lambda, SQS, EMR, Batch, Redshift, Glue, Lake Formation, Step Functions, MWAA, Scheduler and the network, with Checkov's AWS checks mapped by ID.";

/** Every policy is advisory unless the stack's pack config raises it (policies/config/<stack>.json). */
export const packEnforcementLevel: EnforcementLevel = "advisory";

/** The policies of each service module, by module name (the `<service>` prefix of their names). */
export const policiesByService: Readonly<Record<string, Policies>> = {
    athena: athenaPolicies,
    batch: batchPolicies,
    cloudtrail: cloudtrailPolicies,
    cloudwatch: cloudwatchPolicies,
    cost: [...costPolicies, ...budgetPolicies],
    dms: dmsPolicies,
    ec2: ec2Policies,
    ecr: ecrPolicies,
    emr: emrPolicies,
    firehose: firehosePolicies,
    glue: gluePolicies,
    iam: iamPolicies,
    kinesis: kinesisPolicies,
    kms: kmsPolicies,
    lakeformation: lakeformationPolicies,
    lambda: lambdaPolicies,
    msk: mskPolicies,
    mwaa: mwaaPolicies,
    protection: protectionPolicies,
    rds: rdsPolicies,
    redshift: redshiftPolicies,
    s3: s3Policies,
    scheduler: schedulerPolicies,
    secretsmanager: secretsmanagerPolicies,
    sfn: sfnPolicies,
    sns: snsPolicies,
    sqs: sqsPolicies,
    tagging: taggingPolicies,
};

export const policies: Policies = Object.values(policiesByService).flat();
