import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseFlags } from "./offline/flags";
import { projectRoot, RunOptions, runOffline } from "./offline/program";
import { terraformType } from "./offline/terraform-plan";

/**
 * `npm run checkov-catalogue`: regenerates policies/lib/checkov-applicable.json, the Checkov AWS
 * checks whose resource types this program can create, from Checkov's own registry (the pinned
 * release in .local/checkov-venv). The program's Terraform types come from offline runs of every
 * stack and of each config mode the stacks do not choose, plus what awsx components create in a
 * deployment. tests/unit/policies/metadata.test.ts holds the catalogue to exactly this list.
 */

export const applicablePath = path.join(projectRoot, "policies", "lib", "checkov-applicable.json");

/**
 * The test-only stack config of the `mskClientAuth` alternative: prod with SASL/SCRAM first (the
 * ingest functions' mode), IAM and mutual TLS enabled too, its AmazonMSK_ secret, private CA and
 * the customer-managed key of the secret. The pack config that goes with it allows exactly those
 * modes (tests/unit/infra/msk-client-auth.test.ts).
 */
export const mskClientAuthVariant = {
    stack: "prod",
    overrides: {
        "platform:mskClientAuth": JSON.stringify(["scram", "iam", "tls"]),
        "platform:mskScramSecretArns": JSON.stringify(["arn:aws:secretsmanager:us-east-1:123456789012:secret:AmazonMSK_platform-prod-ingest-AbCdEf"]),
        "platform:mskCertificateAuthorityArns": JSON.stringify(["arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/1f2e3d4c-5b6a-7980-1a2b-3c4d5e6f7a8b"]),
        "platform:mskClientSecretsKmsKeyArn": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    },
} as const satisfies RunOptions;

/**
 * prod switched to its provisioned warehouse alternative (2 × ra3.xlplus, about $1,600 a month more
 * than the serverless default), with the budget raised as that switch would need.
 */
export const provisionedWarehouseOverrides = {
    "platform:warehouseMode": "provisioned",
    "platform:warehouseNodeType": "ra3.xlplus",
    "platform:warehouseNodeCount": "2",
    "platform:budgetMonthlyUsd": "3000",
} as const;

/** The Aurora cluster of the zero-ETL variants. */
export const zeroEtlClusterArn = "arn:aws:rds:us-east-1:123456789012:cluster:shop";

/**
 * The test-only stack configs of the zero-ETL option (`dbSourceZeroEtl`): an Aurora PostgreSQL
 * source integrated into the warehouse beside its DMS capture, on dev (serverless warehouse) and
 * on prod switched to a provisioned RA3 cluster. tests/unit/infra/zero-etl.test.ts checks them.
 */
export const zeroEtlVariants = {
    serverless: {
        stack: "dev",
        overrides: {
            "platform:dbSourceEngine": "aurora-postgresql",
            "platform:dbSourceEndpoint": "shop.cluster-abcdefghijkl.us-east-1.rds.amazonaws.com",
            "platform:dbSourceZeroEtl": "true",
            "platform:dbSourceClusterArn": zeroEtlClusterArn,
        },
    },
    provisioned: {
        stack: "prod",
        // prod runs Redshift Serverless; this variant keeps a provisioned RA3 cluster under test (and under Checkov).
        overrides: { ...provisionedWarehouseOverrides, "platform:dbSourceZeroEtl": "true", "platform:dbSourceClusterArn": zeroEtlClusterArn },
    },
} as const satisfies Record<string, RunOptions>;

/** Orchestrator airflow: the pipeline as DAGs on MWAA instead of the state machine (tests/unit/infra/airflow.test.ts). */
export const airflowVariant = { stack: "dev", overrides: { "platform:orchestrator": "airflow" } } as const satisfies RunOptions;

/**
 * The test-only stack config of the `ingestDelivery` alternative: dev (Kinesis) with a Firehose
 * delivery stream per dataset instead of the ingest function's event source mapping
 * (tests/unit/infra/firehose.test.ts).
 */
export const firehoseDeliveryVariant = {
    stack: "dev",
    overrides: { "platform:ingestDelivery": "firehose" },
} as const satisfies RunOptions;

/** The test-only stack config of the `sparkMode: glue` alternative: dev with Spark on Glue jobs (tests/unit/infra/glue.test.ts). */
export const sparkGlueVariant = { stack: "dev", overrides: { "platform:sparkMode": "glue" } } as const satisfies RunOptions;

/** Runs covering every resource-creating config mode (`platform:sparkMode`, `warehouseMode`, `streamingEngine`, `mskClientAuth`, `dbSourceZeroEtl`, `orchestrator`, `ingestDelivery`). */
export const variants: readonly RunOptions[] = [
    { stack: "dev" },
    { stack: "prod" },
    { stack: "dev", overrides: { "platform:sparkMode": "cluster" } },
    { stack: "prod", overrides: { "platform:warehouseMode": "serverless", "platform:streamingEngine": "kinesis" } },
    mskClientAuthVariant,
    zeroEtlVariants.serverless,
    zeroEtlVariants.provisioned,
    airflowVariant,
    firehoseDeliveryVariant,
    sparkGlueVariant,
];

/**
 * The test-only variants by name, so the command-line tools can run them like a stack:
 * `npm run policy -- --stack dev-firehose`, `npm run cost -- --stack dev-firehose`,
 * `npm run checkov -- --stacks dev,prod,dev-firehose`. Each uses its base stack's pack config and usage file.
 */
export const namedVariants: Readonly<Record<string, RunOptions>> = {
    "dev-firehose": firehoseDeliveryVariant,
    "dev-airflow": airflowVariant,
    "dev-glue": sparkGlueVariant,
    "dev-zero-etl": zeroEtlVariants.serverless,
    "prod-zero-etl": zeroEtlVariants.provisioned,
    "prod-msk-client-auth": mskClientAuthVariant,
};

/** The run of a committed stack or of a named variant. */
export function runOptionsFor(name: string): RunOptions {
    return namedVariants[name] ?? { stack: name };
}

/**
 * What components create in a deployment that the offline mocks do not expand: awsx's VPC makes
 * the VPC, its subnets, route tables, gateways and EIPs; awsx's ECR image only builds and pushes.
 */
export const componentTypes: Readonly<Record<string, readonly string[]>> = {
    "awsx:ec2:Vpc": ["aws_vpc", "aws_subnet", "aws_route_table", "aws_route_table_association", "aws_route", "aws_internet_gateway", "aws_nat_gateway", "aws_eip"],
    "awsx:ecr:Image": [],
};

async function main(argv: string[]): Promise<void> {
    const flags = parseFlags(argv, { python: "string" }, "npm run checkov-catalogue [-- --python <checkov venv python>]");
    const python = flags.get("python") ?? path.join(projectRoot, ".local", "checkov-venv", "bin", "python");
    if (!fs.existsSync(python)) {
        throw new Error(`--python: expected the Checkov venv's interpreter; found nothing at ${python}. Fix: run tools/services/checkov-env.sh first.`);
    }
    const types = new Set<string>();
    for (const options of variants) {
        const run = await runOffline(options);
        for (const r of run.resources) {
            const t = r.custom ? terraformType(r.type) : undefined;
            if (t) {
                types.add(t);
            }
            (componentTypes[r.type] ?? []).forEach((c) => types.add(c));
        }
    }
    const out = execFileSync(python, [path.join(projectRoot, "tools", "checkov", "registry.py")], { input: JSON.stringify([...types].sort()), encoding: "utf8", env: { ...process.env, BC_SKIP_MAPPING: "TRUE" } });
    const registry = JSON.parse(out) as { checkovVersion: string; checks: unknown[] };
    const doc = { generatedBy: "npm run checkov-catalogue", checkovVersion: registry.checkovVersion, terraformTypes: [...types].sort(), checks: registry.checks };
    fs.writeFileSync(applicablePath, JSON.stringify(doc, null, 2) + "\n");
    console.log(`${path.relative(process.cwd(), applicablePath)}: ${registry.checks.length} checks of Checkov ${registry.checkovVersion} on ${types.size} Terraform types`);
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        () => process.exit(0),
        (err: Error) => {
            process.stderr.write(`${err.message}\n`);
            process.exit(1);
        },
    );
}
