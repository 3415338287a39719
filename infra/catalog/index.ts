import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DatasetDefinition, datasets as platformDatasets } from "../../runtime/datasets";
import { GovernanceConfig } from "../config";
import { kmsUseStatement, policyDocument, s3ReadStatements, s3WriteStatements } from "../shared/iam";
import { serviceRole } from "../shared/role";
import { dataStoreOptions, identifierPrefix } from "../shared/options";
import { PlatformContext } from "../shared/context";
import { aggregateTables, catalogDatabaseNames, CatalogGrant, cdcCuratedTable, cdcRawTable, curatedTable, lfTags, rawTable, storageFormat, TableSpec } from "./decisions";

export type { CatalogGrant } from "./decisions";
export { catalogDatabaseNames } from "./decisions";

export interface CatalogArgs {
    /** The stack's shared settings; the lake key encrypts the catalog, `protectData` protects the databases. */
    readonly context: PlatformContext;
    /** The datasets that get a raw and a curated table (and their aggregates). Defaults to every dataset of `runtime/datasets`. */
    readonly datasets?: readonly DatasetDefinition[];
    /**
     * Database datasets the stack captures: a raw table of their change records and a curated table
     * of the state the CDC apply rebuilds, with the same LF-tags. Defaults to none.
     */
    readonly databaseDatasets?: readonly DatasetDefinition[];
    /** The raw zone bucket, registered with Lake Formation. */
    readonly rawBucket: aws.s3.Bucket;
    /** The curated zone bucket, registered with Lake Formation. */
    readonly curatedBucket: aws.s3.Bucket;
    /** Whether this stack owns the account's Lake Formation settings, and their admins. */
    readonly governance: GovernanceConfig;
    /** The access each consumer declared (`catalogAccess` of Warehouse, Transform, Orchestration). Defaults to none. */
    readonly access?: readonly CatalogGrant[];
}

/**
 * The Glue Data Catalog (a raw and a curated database, a table per dataset in each, generated
 * from the dataset definition) governed by Lake Formation: both lake locations registered with
 * a data-access role, LF-tags for zone and classification, no default IAMAllowedPrincipals
 * access, and the explicit grants (never ALL) its consumers declared.
 */
export class Catalog extends pulumi.ComponentResource {
    readonly rawDatabase: aws.glue.CatalogDatabase;
    readonly curatedDatabase: aws.glue.CatalogDatabase;
    readonly rawDatabaseName: string;
    readonly curatedDatabaseName: string;
    readonly tables: aws.glue.CatalogTable[] = [];
    /** The Data Catalog's encryption settings; other components' Glue databases wait for them too. */
    readonly encryptionSettings: aws.glue.DataCatalogEncryptionSettings;
    private readonly componentName: string;
    /** What Lake Formation grants elsewhere must wait for: the data lake settings (the deployer as administrator) and the catalog's encryption. */
    readonly dependencies: pulumi.Resource[] = [];
    private readonly locations: Partial<Record<"raw" | "curated", pulumi.Output<string>>> = {};

    constructor(name: string, args: CatalogArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:catalog:Catalog", name, {}, opts);
        this.componentName = name;
        const context = args.context;
        const prefix = identifierPrefix(context.project, context.stack);
        const databaseNames = catalogDatabaseNames(context.project, context.stack);
        this.rawDatabaseName = databaseNames.raw;
        this.curatedDatabaseName = databaseNames.curated;

        if (args.governance.manageLakeFormationSettings) {
            // Per-account singleton: only the stack whose config says it owns the settings declares them.
            this.dependencies.push(
                new aws.lakeformation.DataLakeSettings(
                    `${name}-settings`,
                    { admins: [...args.governance.lakeFormationAdmins], createDatabaseDefaultPermissions: [], createTableDefaultPermissions: [] },
                    { parent: this },
                ),
            );
        }

        const { role: dataAccessRole } = serviceRole(
            `${name}-data-access`,
            {
                service: "lakeformation.amazonaws.com",
                description: "Lake Formation reads and writes registered lake locations on behalf of granted principals",
                accountId: context.accountId,
                policy: pulumi
                    .all([args.rawBucket.arn, args.curatedBucket.arn, context.keys.lake])
                    .apply(([raw, curated, key]) => policyDocument(...s3ReadStatements(raw), ...s3ReadStatements(curated), ...s3WriteStatements(curated, [""], true), kmsUseStatement([key]))),
            },
            this,
        );
        for (const [zone, bucket] of [["raw", args.rawBucket], ["curated", args.curatedBucket]] as const) {
            this.locations[zone] = bucket.arn;
            this.dependencies.push(
                new aws.lakeformation.Resource(`${name}-${zone}-location`, { arn: bucket.arn, roleArn: dataAccessRole.arn, hybridAccessEnabled: false }, { parent: this }),
            );
        }

        const tagResources = Object.entries(lfTags).map(
            ([key, values]) => new aws.lakeformation.LfTag(`${name}-${key}`, { key: `${prefix}_${key}`, values: [...values] }, { parent: this, dependsOn: this.dependencies }),
        );

        // The catalog's metadata (table schemas, locations) and any connection passwords are
        // encrypted with the lake key, not left in the clear; declared before the databases so
        // they are never written unencrypted. Callers of the Glue API then need kms:Decrypt on
        // the lake key, which every role that reads the lake already has.
        this.encryptionSettings = new aws.glue.DataCatalogEncryptionSettings(
            `${name}-encryption`,
            {
                dataCatalogEncryptionSettings: {
                    encryptionAtRest: { catalogEncryptionMode: "SSE-KMS", sseAwsKmsKeyId: context.keys.lake },
                    connectionPasswordEncryption: { returnConnectionPasswordEncrypted: true, awsKmsKeyId: context.keys.lake },
                },
            },
            { parent: this },
        );
        this.dependencies.push(this.encryptionSettings);

        const database = (zone: "raw" | "curated", dbName: string, bucket: aws.s3.Bucket) =>
            new aws.glue.CatalogDatabase(
                `${name}-${zone}`,
                {
                    name: dbName,
                    description: `${zone} zone of the ${context.project} ${context.stack} data lake`,
                    locationUri: pulumi.interpolate`s3://${bucket.bucket}/`,
                    // Lake Formation permissions only: new tables get no IAMAllowedPrincipals grant.
                    createTableDefaultPermissions: [],
                },
                dataStoreOptions(context.protectData, this, { dependsOn: this.dependencies }),
            );
        this.rawDatabase = database("raw", this.rawDatabaseName, args.rawBucket);
        this.curatedDatabase = database("curated", this.curatedDatabaseName, args.curatedBucket);

        for (const [zone, db] of [["raw", this.rawDatabase], ["curated", this.curatedDatabase]] as const) {
            new aws.lakeformation.ResourceLfTags(
                `${name}-${zone}-zone-tag`,
                { database: { name: db.name }, lfTags: [{ key: `${prefix}_zone`, value: zone }] },
                { parent: this, dependsOn: tagResources },
            );
        }

        for (const dataset of [...(args.datasets ?? platformDatasets), ...(args.databaseDatasets ?? [])]) {
            const captured = dataset.source === "database";
            const raw = pulumi.output(args.rawBucket.bucket).apply((bucket) => (captured ? cdcRawTable(dataset, bucket) : rawTable(dataset, bucket)));
            const curated = pulumi.output(args.curatedBucket.bucket).apply((bucket) => (captured ? cdcCuratedTable(dataset, bucket) : curatedTable(dataset, bucket)));
            const tables: [string, "raw" | "curated", aws.glue.CatalogDatabase, pulumi.Output<TableSpec>][] = [
                [dataset.name, "raw", this.rawDatabase, raw],
                [dataset.name, "curated", this.curatedDatabase, curated],
                ...dataset.aggregates.map((aggregate, i): [string, "curated", aws.glue.CatalogDatabase, pulumi.Output<TableSpec>] => [
                    `${dataset.name}-${aggregate.name}`,
                    "curated",
                    this.curatedDatabase,
                    pulumi.output(args.curatedBucket.bucket).apply((bucket) => aggregateTables(dataset, bucket)[i]),
                ]),
            ];
            for (const [logicalName, zone, db, spec] of tables) {
                const table = this.table(`${name}-${zone}-${logicalName}`, db, spec, zone === "raw" ? "json" : "parquet");
                this.tables.push(table);
                new aws.lakeformation.ResourceLfTags(
                    `${name}-${zone}-${logicalName}-classification`,
                    { table: { databaseName: db.name, name: table.name }, lfTags: [{ key: `${prefix}_classification`, value: dataset.classification }] },
                    { parent: this, dependsOn: tagResources },
                );
            }
        }
        for (const grant of args.access ?? []) {
            this.grant(grant);
        }
        this.registerOutputs({ rawDatabaseName: this.rawDatabaseName, curatedDatabaseName: this.curatedDatabaseName, tableNames: this.tables.map((t) => t.name) });
    }

    private table(logical: string, db: aws.glue.CatalogDatabase, spec: pulumi.Output<TableSpec>, format: "json" | "parquet"): aws.glue.CatalogTable {
        const formats = storageFormat(format);
        return new aws.glue.CatalogTable(
            logical,
            {
                name: spec.name,
                databaseName: db.name,
                description: spec.description,
                tableType: "EXTERNAL_TABLE",
                parameters: spec.parameters.apply((p) => ({ EXTERNAL: "TRUE", ...p })),
                partitionKeys: spec.partitionKeys.apply((keys) => keys.map((k) => ({ ...k }))),
                storageDescriptor: {
                    location: spec.location,
                    inputFormat: formats.inputFormat,
                    outputFormat: formats.outputFormat,
                    compressed: format === "json",
                    serDeInfo: { serializationLibrary: formats.serializationLibrary, parameters: format === "json" ? { "ignore.malformed.json": "FALSE" } : {} },
                    columns: spec.columns.apply((columns) => columns.map((c) => ({ ...c }))),
                },
            },
            { parent: this },
        );
    }

    /** Applies one consumer's declared access: database and table permissions, and the data location if asked. */
    private grant(grant: CatalogGrant): void {
        const db = grant.zone === "raw" ? this.rawDatabase : this.curatedDatabase;
        const base = `${this.componentName}-${grant.zone}-${grant.name}`;
        const dependsOn = [...this.dependencies, ...this.tables];
        const databasePermissions = grant.databasePermissions ?? [];
        if (databasePermissions.length > 0) {
            new aws.lakeformation.Permissions(
                `${base}-database`,
                { principal: grant.principalArn, permissions: [...databasePermissions], database: { name: db.name } },
                { parent: this, dependsOn },
            );
        }
        new aws.lakeformation.Permissions(
            `${base}-tables`,
            { principal: grant.principalArn, permissions: [...grant.tablePermissions], table: { databaseName: db.name, wildcard: true } },
            { parent: this, dependsOn },
        );
        if (grant.dataLocation) {
            new aws.lakeformation.Permissions(
                `${base}-location`,
                { principal: grant.principalArn, permissions: ["DATA_LOCATION_ACCESS"], dataLocation: { arn: this.locations[grant.zone]! } },
                { parent: this, dependsOn: this.dependencies },
            );
        }
    }
}
