import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DatasetDefinition } from "../../runtime/datasets";
import { GovernanceConfig } from "../config";
import { kmsUseStatement, policyDocument, s3ReadStatements, s3WriteStatements } from "../shared/iam";
import { serviceRole } from "../shared/role";
import { dataStoreOptions, identifierPrefix } from "../shared/options";
import { aggregateTables, CatalogGrant, curatedTable, lfTags, rawTable, storageFormat, TableSpec } from "./decisions";

export type { CatalogGrant } from "./decisions";

export interface CatalogArgs {
    readonly project: string;
    readonly stack: string;
    readonly accountId: pulumi.Input<string>;
    readonly datasets: readonly DatasetDefinition[];
    readonly rawBucket: aws.s3.Bucket;
    readonly curatedBucket: aws.s3.Bucket;
    readonly lakeKeyArn: pulumi.Input<string>;
    readonly governance: GovernanceConfig;
    readonly protectData: boolean;
}

/**
 * The Glue Data Catalog (a raw and a curated database, a table per dataset in each, generated
 * from the dataset definition) governed by Lake Formation: both lake locations registered with
 * a data-access role, LF-tags for zone and classification, no default IAMAllowedPrincipals
 * access, and explicit grants (never ALL) added with `grant()`.
 */
export class Catalog extends pulumi.ComponentResource {
    readonly rawDatabase: aws.glue.CatalogDatabase;
    readonly curatedDatabase: aws.glue.CatalogDatabase;
    readonly rawDatabaseName: string;
    readonly curatedDatabaseName: string;
    readonly tables: aws.glue.CatalogTable[] = [];
    private readonly componentName: string;
    private readonly dependencies: pulumi.Resource[] = [];
    private readonly locations: Partial<Record<"raw" | "curated", pulumi.Output<string>>> = {};

    constructor(name: string, args: CatalogArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:catalog:Catalog", name, {}, opts);
        this.componentName = name;
        const prefix = identifierPrefix(args.project, args.stack);
        this.rawDatabaseName = `${prefix}_raw`;
        this.curatedDatabaseName = `${prefix}_curated`;

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
                accountId: args.accountId,
                policy: pulumi
                    .all([args.rawBucket.arn, args.curatedBucket.arn, args.lakeKeyArn])
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
        this.dependencies.push(
            new aws.glue.DataCatalogEncryptionSettings(
                `${name}-encryption`,
                {
                    dataCatalogEncryptionSettings: {
                        encryptionAtRest: { catalogEncryptionMode: "SSE-KMS", sseAwsKmsKeyId: args.lakeKeyArn },
                        connectionPasswordEncryption: { returnConnectionPasswordEncrypted: true, awsKmsKeyId: args.lakeKeyArn },
                    },
                },
                { parent: this },
            ),
        );

        const database = (zone: "raw" | "curated", dbName: string, bucket: aws.s3.Bucket) =>
            new aws.glue.CatalogDatabase(
                `${name}-${zone}`,
                {
                    name: dbName,
                    description: `${zone} zone of the ${args.project} ${args.stack} data lake`,
                    locationUri: pulumi.interpolate`s3://${bucket.bucket}/`,
                    // Lake Formation permissions only: new tables get no IAMAllowedPrincipals grant.
                    createTableDefaultPermissions: [],
                },
                dataStoreOptions(args.protectData, this, { dependsOn: this.dependencies }),
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

        for (const dataset of args.datasets) {
            const raw = pulumi.output(args.rawBucket.bucket).apply((bucket) => rawTable(dataset, bucket));
            const curated = pulumi.output(args.curatedBucket.bucket).apply((bucket) => curatedTable(dataset, bucket));
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
        this.registerOutputs({});
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

    /** Lets a principal that writes a zone's tables (the Spark job) create data there through Lake Formation. */
    grantDataLocation(name: string, principalArn: pulumi.Input<string>, zone: "raw" | "curated"): void {
        new aws.lakeformation.Permissions(
            `${this.componentName}-${zone}-${name}-location`,
            { principal: principalArn, permissions: ["DATA_LOCATION_ACCESS"], dataLocation: { arn: this.locations[zone]! } },
            { parent: this, dependsOn: this.dependencies },
        );
    }

    /**
     * Grants a principal explicit permissions on every table of one zone (and on its database).
     * Never `ALL`: the permission types make it impossible to ask for it.
     */
    grant(grant: CatalogGrant & { readonly principalArn: pulumi.Input<string> }): void {
        const db = grant.zone === "raw" ? this.rawDatabase : this.curatedDatabase;
        const base = `${this.componentName}-${grant.zone}-${grant.name}`;
        const dependsOn = [...this.dependencies, ...this.tables];
        if (grant.databasePermissions.length > 0) {
            new aws.lakeformation.Permissions(
                `${base}-database`,
                { principal: grant.principalArn, permissions: [...grant.databasePermissions], database: { name: db.name } },
                { parent: this, dependsOn },
            );
        }
        new aws.lakeformation.Permissions(
            `${base}-tables`,
            { principal: grant.principalArn, permissions: [...grant.tablePermissions], table: { databaseName: db.name, wildcard: true } },
            { parent: this, dependsOn },
        );
    }
}
