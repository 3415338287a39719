import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LakeConfig } from "../config";
import { dataStoreOptions } from "../shared/options";
import { bucketPolicy, dataZones, lifecycleRules, Zone } from "./decisions";

export interface LakeArgs {
    readonly accountId: pulumi.Input<string>;
    readonly lake: LakeConfig;
    /** The lake domain key: SSE-KMS with bucket keys on every data bucket. */
    readonly kmsKeyArn: pulumi.Input<string>;
    readonly protectData: boolean;
}

/**
 * The data lake's buckets: raw (NDJSON.gz landed by ingest), curated (Parquet written by Spark),
 * rejects (bad records with reasons), artifacts (job scripts and bundles) and access logs.
 * Every bucket: versioning, all public access blocked, ACLs disabled, a TLS-only policy and
 * lifecycle rules. Data buckets: SSE-KMS with the lake key and bucket keys, server access
 * logging to the access-log bucket. The access-log bucket uses SSE-S3, because S3 cannot deliver
 * server access logs to a bucket whose default encryption is SSE-KMS.
 */
export class Lake extends pulumi.ComponentResource {
    readonly buckets: Readonly<Record<Zone, aws.s3.Bucket>>;

    constructor(name: string, args: LakeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:lake:Lake", name, {}, opts);
        const buckets = {} as Record<Zone, aws.s3.Bucket>;

        const accessLogs = this.bucket(name, "accessLogs", args);
        buckets.accessLogs = accessLogs;
        for (const zone of dataZones) {
            buckets[zone] = this.bucket(name, zone, args);
            new aws.s3.BucketLogging(
                `${name}-${kebab(zone)}`,
                {
                    bucket: buckets[zone].id,
                    targetBucket: accessLogs.id,
                    targetPrefix: `${zone}/`,
                    targetObjectKeyFormat: { partitionedPrefix: { partitionDateSource: "EventTime" } },
                },
                { parent: this },
            );
        }
        const sources = pulumi.all(dataZones.map((zone) => buckets[zone].arn));
        for (const zone of [...dataZones, "accessLogs" as const]) {
            new aws.s3.BucketPolicy(
                `${name}-${kebab(zone)}`,
                {
                    bucket: buckets[zone].id,
                    policy: pulumi
                        .all([buckets[zone].arn, args.accountId, sources])
                        .apply(([arn, accountId, sourceArns]) => JSON.stringify(bucketPolicy(zone, arn, accountId, sourceArns))),
                },
                { parent: this },
            );
        }
        this.buckets = buckets;
        this.registerOutputs({});
    }

    private bucket(name: string, zone: Zone, args: LakeArgs): aws.s3.Bucket {
        const logical = `${name}-${kebab(zone)}`;
        const bucket = new aws.s3.Bucket(logical, { forceDestroy: !args.protectData, tags: { "lake-zone": zone } }, dataStoreOptions(args.protectData, this));
        const child = { parent: bucket };
        new aws.s3.BucketOwnershipControls(logical, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, child);
        new aws.s3.BucketPublicAccessBlock(logical, { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, child);
        new aws.s3.BucketVersioning(logical, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, child);
        new aws.s3.BucketServerSideEncryptionConfiguration(
            logical,
            {
                bucket: bucket.id,
                rules: [
                    zone === "accessLogs"
                        ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }
                        : { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn }, bucketKeyEnabled: true },
                ],
            },
            child,
        );
        new aws.s3.BucketLifecycleConfiguration(logical, { bucket: bucket.id, rules: lifecycleRules(zone, args.lake) }, child);
        return bucket;
    }
}

function kebab(zone: Zone): string {
    return zone === "accessLogs" ? "access-logs" : zone;
}
