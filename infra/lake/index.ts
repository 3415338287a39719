import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LakeConfig } from "../config";
import { dataStoreOptions } from "../shared/options";
import { PlatformContext } from "../shared/context";
import { bucketPolicy, dataZones, lifecycleRules, Zone, zones } from "./decisions";

export interface LakeArgs {
    /** The stack's shared settings; the lake key encrypts every data bucket (SSE-KMS with bucket keys), `protectData` protects the buckets. */
    readonly context: PlatformContext;
    /** Lifecycle of the zones (days to Infrequent Access and to archive, noncurrent versions, rejects). */
    readonly lake: LakeConfig;
    /**
     * ARNs of buckets outside the lake (file-drop landing, Athena results, the audit trail) whose
     * server access logs the access-log bucket accepts too. Defaults to none.
     */
    readonly accessLogSources?: readonly pulumi.Input<string>[];
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
    /** One bucket per zone; their physical names are generated from `<name>-<zone>` (e.g. `lake-raw-1a2b3c4`). */
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
        const sources = pulumi.all([...dataZones.map((zone) => buckets[zone].arn), ...(args.accessLogSources ?? [])]);
        for (const zone of [...dataZones, "accessLogs" as const]) {
            new aws.s3.BucketPolicy(
                `${name}-${kebab(zone)}`,
                {
                    bucket: buckets[zone].id,
                    policy: pulumi
                        .all([buckets[zone].arn, args.context.accountId, sources])
                        .apply(([arn, accountId, sourceArns]) => JSON.stringify(bucketPolicy(zone, arn, accountId, sourceArns))),
                },
                { parent: this },
            );
        }
        this.buckets = buckets;
        this.registerOutputs({ bucketNames: Object.fromEntries(zones.map((zone) => [zone, buckets[zone].bucket])) });
    }

    private bucket(name: string, zone: Zone, args: LakeArgs): aws.s3.Bucket {
        const logical = `${name}-${kebab(zone)}`;
        const bucket = new aws.s3.Bucket(logical, { forceDestroy: !args.context.protectData, tags: { "lake-zone": zone } }, dataStoreOptions(args.context.protectData, this));
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
                        : { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.context.keys.lake }, bucketKeyEnabled: true },
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
