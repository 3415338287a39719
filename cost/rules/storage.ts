import type * as aws from "@pulumi/aws";
import { AnyRule, costRule, priced, RuleContext, tiered, usage } from "./rule";

const s3Usage = {
    standardStorageGb: { unit: "GB", description: "Average S3 Standard storage (GB-months)." },
    standardIaStorageGb: { unit: "GB", description: "Average S3 Standard-IA storage (GB-months), after the lifecycle transition." },
    glacierInstantStorageGb: { unit: "GB", description: "Average S3 Glacier Instant Retrieval storage (GB-months)." },
    monthlyTier1Requests: { unit: "requests", description: "PUT, COPY, POST and LIST requests per month." },
    monthlyTier2Requests: { unit: "requests", description: "GET, SELECT and all other requests per month." },
    noncurrentStorageGb: {
        unit: "GB",
        description: "Average noncurrent object versions kept (GB-months, Standard rate): what compaction, replays and rewrites leave behind until the noncurrent-version expiration removes them.",
    },
    monthlyTransitionsToStandardIa: { unit: "requests", description: "Objects the lifecycle moves to Standard-IA per month (one transition request each; S3 does not transition objects under 128 KB by default)." },
    monthlyTransitionsToGlacierInstant: { unit: "requests", description: "Objects the lifecycle moves to Glacier Instant Retrieval per month." },
    standardIaRetrievalGb: { unit: "GB", description: "Data read back from Standard-IA per month (replays, backfills, late-data sweeps over old partitions)." },
    glacierInstantRetrievalGb: { unit: "GB", description: "Data read back from Glacier Instant Retrieval per month." },
};

function s3Components(ctx: RuleContext) {
    const thousands = (key: string) => {
        const n = ctx.usage(key);
        return n === undefined ? undefined : n / 1000;
    };
    return priced(
        tiered(ctx, "Storage (Standard)", "s3.standard.storageGb", ctx.usage("standardStorageGb"), true),
        usage(ctx, "Storage (Standard-IA)", "s3.standardIa.storageGb", ctx.usage("standardIaStorageGb")),
        usage(ctx, "Storage (Glacier Instant Retrieval)", "s3.glacierInstant.storageGb", ctx.usage("glacierInstantStorageGb")),
        usage(ctx, "PUT, COPY, POST, LIST requests", "s3.tier1Requests.1k", thousands("monthlyTier1Requests")),
        usage(ctx, "GET, SELECT, and all other requests", "s3.tier2Requests.1k", thousands("monthlyTier2Requests")),
        // Noncurrent versions bill at their class's rate; the lake's rewrites happen in Standard (first tier).
        tiered(ctx, "Noncurrent versions (Standard)", "s3.standard.storageGb", ctx.usage("noncurrentStorageGb"), true),
        usage(ctx, "Lifecycle transitions to Standard-IA", "s3.lifecycle.toStandardIa.1k", thousands("monthlyTransitionsToStandardIa")),
        usage(ctx, "Lifecycle transitions to Glacier Instant Retrieval", "s3.lifecycle.toGlacierInstant.1k", thousands("monthlyTransitionsToGlacierInstant")),
        usage(ctx, "Retrieval (Standard-IA)", "s3.standardIa.retrievalGb", ctx.usage("standardIaRetrievalGb")),
        usage(ctx, "Retrieval (Glacier Instant Retrieval)", "s3.glacierInstant.retrievalGb", ctx.usage("glacierInstantRetrievalGb")),
    );
}

/** S3: storage per class the lake's lifecycle rules use, and requests. */
export const s3Bucket = costRule<aws.s3.BucketArgs>({
    type: "aws:s3/bucket:Bucket",
    usage: s3Usage,
    price: (_props, _resource, ctx) => s3Components(ctx),
});

/** The deprecated BucketV2 name of the same resource (pulumi-aws v6 programs). */
export const s3BucketV2 = costRule<aws.s3.BucketV2Args>({
    type: "aws:s3/bucketV2:BucketV2",
    usage: s3Usage,
    price: (_props, _resource, ctx) => s3Components(ctx),
});

export const ecrRepository = costRule<aws.ecr.RepositoryArgs>({
    type: "aws:ecr/repository:Repository",
    usage: { storageGb: { unit: "GB", description: "Image storage (GB-months)." } },
    price(_props, _resource, ctx) {
        return priced(usage(ctx, "Storage", "ecr.storageGb", ctx.usage("storageGb")));
    },
});

export const storageRules: readonly AnyRule[] = [s3Bucket, s3BucketV2, ecrRepository];
