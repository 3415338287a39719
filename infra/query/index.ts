import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DatasetDefinition, datasets as platformDatasets } from "../../runtime/datasets";
import { aggregateTableName } from "../../runtime/datasets/schema";
import { datasetQueries, lineageQueries, personalDataColumns, QueryAudience } from "../../runtime/queries";
import { QueryConfig } from "../config";
import { storageFormat, TableSpec } from "../catalog/decisions";
import { protectedBucket } from "../shared/bucket";
import { PlatformContext, RegisteredAlarm } from "../shared/context";
import { trustPolicyJson } from "../shared/iam";
import { serviceRole } from "../shared/role";
import { dataStoreOptions, identifierPrefix } from "../shared/options";
import { analystRolePolicy, analystTrustPolicy, rejectsLocationPolicy } from "./iam";
import { arrivalsTable, audiences, lineageTable, operationsDatabaseName, rejectsTable, resultsBucketName, resultsLifecycleRules, workgroupConfiguration, workgroupName } from "./decisions";

export { resultsBucketName } from "./decisions";

export interface QueryArgs {
    /** The stack's shared settings; the lake key encrypts query results, `protectData` protects the results bucket and the operations database. */
    readonly context: PlatformContext;
    /** Scan limits per workgroup and how long results are kept. */
    readonly query: QueryConfig;
    /** The datasets whose curated tables analysts read and whose named queries are deployed. Defaults to every dataset of `runtime/datasets`. */
    readonly datasets?: readonly DatasetDefinition[];
    /** Database datasets the stack captures: analysts read their curated tables without the personal-data columns, like the others. Defaults to none. */
    readonly databaseDatasets?: readonly DatasetDefinition[];
    /** The curated database and its tables (the Catalog component's), which the analyst grants wait for, and the catalog's encryption settings, which the operations database waits for. */
    readonly catalog: { readonly curatedDatabaseName: string; readonly tables: readonly pulumi.Resource[]; readonly encryptionSettings: pulumi.Resource };
    /** The raw zone bucket (the arrivals tables read it; the Catalog registers it with Lake Formation). */
    readonly rawBucket: aws.s3.Bucket;
    /** The rejects zone bucket (the rejects tables read it; registered here). */
    readonly rejectsBucket: aws.s3.Bucket;
    /** The lake's access-log bucket, which receives the results bucket's server access logs. */
    readonly accessLogsBucket: aws.s3.Bucket;
    /** The lineage prefix of the raw bucket: the lineage table reads it and the lineage named queries are deployed. Defaults to none (lineage off). */
    readonly lineage?: { readonly prefix: string };
}

/**
 * Athena over the lake: a workgroup per audience (`analysts`, `pipeline`) with enforced settings,
 * a per-query scan limit and encrypted, expiring results; an analyst role that Lake Formation
 * lets read the curated tables and aggregates without their personal-data columns (and nothing
 * on raw or rejects); an operations database with rejects and arrivals tables for the pipeline's
 * checks; and the platform's named queries, generated from the dataset definitions.
 */
export class Query extends pulumi.ComponentResource {
    readonly workgroups: Readonly<Record<QueryAudience, aws.athena.Workgroup>>;
    readonly resultsBucket: aws.s3.Bucket;
    readonly analystRole: aws.iam.Role;
    readonly operationsDatabase: aws.glue.CatalogDatabase;
    readonly namedQueries: aws.athena.NamedQuery[] = [];
    /** None: a query cancelled at its scan limit is the limit working, not a fault; the workgroups publish their metrics to CloudWatch for dashboards. */
    readonly alarms: readonly RegisteredAlarm[] = [];

    constructor(name: string, args: QueryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:query:Query", name, {}, opts);
        const context = args.context;
        const datasets = args.datasets ?? platformDatasets;
        const prefix = identifierPrefix(context.project, context.stack);

        const results = protectedBucket(
            `${name}-results`,
            {
                context,
                bucketName: pulumi.output(context.accountId).apply((accountId) => resultsBucketName(context.project, context.stack, accountId)),
                kmsKeyArn: context.keys.lake,
                lifecycleRules: resultsLifecycleRules(args.query),
                accessLogs: { bucketId: args.accessLogsBucket.id, prefix: "athenaResults/" },
            },
            this,
        );
        this.resultsBucket = results.bucket;

        const workgroups = {} as Record<QueryAudience, aws.athena.Workgroup>;
        for (const audience of audiences) {
            workgroups[audience] = new aws.athena.Workgroup(
                `${name}-${audience}`,
                {
                    name: workgroupName(context.project, context.stack, audience),
                    description: audience === "analysts" ? "Analysts' queries over the curated zone" : "The platform's own checks (rejects, late records)",
                    state: "ENABLED",
                    forceDestroy: !context.protectData,
                    configuration: pulumi
                        .all([this.resultsBucket.bucket, context.keys.lake, context.accountId])
                        .apply(([bucket, key, accountId]) => workgroupConfiguration(args.query, audience, bucket, key, accountId)),
                },
                { parent: this },
            );
        }
        this.workgroups = workgroups;

        this.analystRole = new aws.iam.Role(
            `${name}-analyst`,
            {
                description: "Analysts query curated data with Athena (assumed from the DataPlatformAnalyst IAM Identity Center permission set)",
                assumeRolePolicy: pulumi.all([context.partition, context.accountId]).apply(([partition, accountId]) => trustPolicyJson(analystTrustPolicy(partition, accountId))),
                maxSessionDuration: 3600,
            },
            { parent: this },
        );
        new aws.iam.RolePolicy(
            `${name}-analyst`,
            {
                role: this.analystRole.name,
                policy: pulumi
                    .all([context.partition, context.accountId, workgroups.analysts.arn, this.resultsBucket.arn, context.keys.lake])
                    .apply(([partition, accountId, workgroupArn, resultsBucketArn, lakeKeyArn]) =>
                        JSON.stringify(analystRolePolicy({ partition, region: context.region, accountId, workgroupArn, resultsBucketArn, lakeKeyArn, curatedDatabase: args.catalog.curatedDatabaseName })),
                    ),
            },
            { parent: this },
        );
        this.grantAnalysts(name, args, [...datasets, ...(args.databaseDatasets ?? [])], prefix);

        // The rejects zone, registered with Lake Formation so its tables are governed like the others.
        const { role: rejectsAccess } = serviceRole(
            `${name}-rejects-access`,
            {
                service: "lakeformation.amazonaws.com",
                description: "Lake Formation reads the rejects zone on behalf of granted principals",
                accountId: context.accountId,
                policy: pulumi.all([args.rejectsBucket.arn, context.keys.lake]).apply(([arn, key]) => rejectsLocationPolicy(arn, key)),
            },
            this,
        );
        const registration = new aws.lakeformation.Resource(
            `${name}-rejects-location`,
            { arn: args.rejectsBucket.arn, roleArn: rejectsAccess.arn, hybridAccessEnabled: false },
            { parent: this, dependsOn: [args.rejectsBucket] },
        );
        this.operationsDatabase = new aws.glue.CatalogDatabase(
            `${name}-operations`,
            {
                name: operationsDatabaseName(context.project, context.stack),
                description: `Operations views of the ${context.project} ${context.stack} lake: rejects and arrival times, for the pipeline's checks`,
                createTableDefaultPermissions: [],
            },
            // Declared after the catalog's encryption settings, so its metadata is never written unencrypted.
            dataStoreOptions(context.protectData, this, { dependsOn: [args.catalog.encryptionSettings] }),
        );
        for (const dataset of datasets) {
            this.table(`${name}-${dataset.name}-rejects`, pulumi.output(args.rejectsBucket.bucket).apply((bucket) => rejectsTable(dataset, bucket)), [registration]);
            this.table(`${name}-${dataset.name}-arrivals`, pulumi.output(args.rawBucket.bucket).apply((bucket) => arrivalsTable(dataset, bucket)), []);
        }
        const lineage = args.lineage;
        if (lineage) {
            this.table(`${name}-lineage`, pulumi.output(args.rawBucket.bucket).apply((bucket) => lineageTable(bucket, lineage.prefix)), [], { compressed: false });
        }

        const databases = { curated: args.catalog.curatedDatabaseName, operations: operationsDatabaseName(context.project, context.stack) };
        for (const spec of [...datasetQueries(datasets, databases), ...(lineage ? lineageQueries([...datasets, ...(args.databaseDatasets ?? [])], databases) : [])]) {
            this.namedQueries.push(
                new aws.athena.NamedQuery(
                    `${name}-${spec.name}`,
                    { name: spec.name, description: spec.description, database: spec.database, query: spec.sql, workgroup: workgroups[spec.audience].name },
                    { parent: this, dependsOn: spec.database === args.catalog.curatedDatabaseName ? [...args.catalog.tables] : [this.operationsDatabase] },
                ),
            );
        }

        this.registerOutputs({
            workgroupNames: Object.fromEntries(audiences.map((a) => [a, workgroups[a].name])),
            resultsBucket: this.resultsBucket.bucket,
            analystRoleArn: this.analystRole.arn,
            namedQueries: this.namedQueries.map((q) => q.name),
        });
    }

    /**
     * The analysts' Lake Formation access: DESCRIBE on the curated database, and on each curated
     * table and daily aggregate SELECT on every column except the personal-data ones, which also
     * carry the `<prefix>_personal_data` LF-tag so other grants and audits can find them.
     */
    private grantAnalysts(name: string, args: QueryArgs, datasets: readonly DatasetDefinition[], prefix: string): void {
        const dependsOn = [...args.catalog.tables];
        const database = args.catalog.curatedDatabaseName;
        const principal = this.analystRole.arn;
        new aws.lakeformation.Permissions(`${name}-analysts-database`, { principal, permissions: ["DESCRIBE"], database: { name: database } }, { parent: this, dependsOn });
        const personalTag = new aws.lakeformation.LfTag(`${name}-personal-data`, { key: `${prefix}_personal_data`, values: ["true", "false"] }, { parent: this });
        for (const dataset of datasets) {
            // Fields flagged one by one, then those the dataset lists (the captured customers list theirs).
            const personal = [...new Set([...personalDataColumns(dataset), ...(dataset.personalData ?? [])])];
            new aws.lakeformation.Permissions(
                `${name}-analysts-${dataset.name}`,
                {
                    principal,
                    permissions: ["SELECT", "DESCRIBE"],
                    ...(personal.length > 0 ? { tableWithColumns: { databaseName: database, name: dataset.name, excludedColumnNames: personal } } : { table: { databaseName: database, name: dataset.name } }),
                },
                { parent: this, dependsOn },
            );
            if (personal.length > 0) {
                new aws.lakeformation.ResourceLfTags(
                    `${name}-${dataset.name}-personal-data`,
                    { tableWithColumns: { databaseName: database, name: dataset.name, columnNames: personal }, lfTags: [{ key: `${prefix}_personal_data`, value: "true" }] },
                    { parent: this, dependsOn: [...dependsOn, personalTag] },
                );
            }
            for (const aggregate of dataset.aggregates) {
                const table = aggregateTableName(dataset, aggregate);
                new aws.lakeformation.Permissions(
                    `${name}-analysts-${table}`,
                    { principal, permissions: ["SELECT", "DESCRIBE"], table: { databaseName: database, name: table } },
                    { parent: this, dependsOn },
                );
            }
        }
    }

    /** One operations table; `compressed: false` for objects written as plain NDJSON (the lineage events). */
    private table(logical: string, spec: pulumi.Output<TableSpec>, dependsOn: pulumi.Resource[], options: { readonly compressed?: boolean } = {}): aws.glue.CatalogTable {
        const formats = storageFormat("json");
        return new aws.glue.CatalogTable(
            logical,
            {
                name: spec.name,
                databaseName: this.operationsDatabase.name,
                description: spec.description,
                tableType: "EXTERNAL_TABLE",
                parameters: spec.parameters.apply((p) => ({ EXTERNAL: "TRUE", ...p })),
                partitionKeys: spec.partitionKeys.apply((keys) => keys.map((k) => ({ ...k }))),
                storageDescriptor: {
                    location: spec.location,
                    inputFormat: formats.inputFormat,
                    outputFormat: formats.outputFormat,
                    compressed: options.compressed ?? true,
                    serDeInfo: { serializationLibrary: formats.serializationLibrary, parameters: { "ignore.malformed.json": "FALSE" } },
                    columns: spec.columns.apply((columns) => columns.map((c) => ({ ...c }))),
                },
            },
            { parent: this, dependsOn },
        );
    }
}
