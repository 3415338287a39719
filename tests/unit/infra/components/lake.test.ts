import * as assert from "assert";
import { LakeConfig } from "../../../../infra/config";
import { Lake } from "../../../../infra/lake";
import { PlatformContext } from "../../../../infra/shared/context";
import { construct, named, namesOf, promiseOf, types } from "./harness";

const lifecycle: LakeConfig = { infrequentAccessDays: 30, archiveDays: 90, noncurrentVersionDays: 30, rejectsExpirationDays: 60 };

function lake(context: PlatformContext) {
    return new Lake("lake", { context, lake: lifecycle });
}

describe("Lake, constructed alone", () => {
    it("declares one bucket per zone, named from the component", async () => {
        const { component, resources } = await construct(lake);
        assert.deepStrictEqual(namesOf(resources, types.bucket), ["lake-access-logs", "lake-artifacts", "lake-curated", "lake-raw", "lake-rejects"]);
        assert.deepStrictEqual(Object.keys(component.buckets).sort(), ["accessLogs", "artifacts", "curated", "raw", "rejects"]);
        assert.match(await promiseOf(component.buckets.raw.bucket), /^lake-raw-/);
    });

    it("encrypts data buckets with the context's lake key and the access-log bucket with SSE-S3", async () => {
        const { resources } = await construct(lake);
        const rule = (zone: string) => named(resources, types.sse, `lake-${zone}`).inputs.rules[0];
        assert.deepStrictEqual(rule("raw"), { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "arn:aws:kms:us-east-1:123456789012:key/lake" }, bucketKeyEnabled: true });
        assert.deepStrictEqual(rule("access-logs"), { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } });
    });

    it("lets an unprotected stack empty and delete its buckets", async () => {
        const { resources } = await construct(lake);
        const raw = named(resources, types.bucket, "lake-raw");
        assert.deepStrictEqual([raw.inputs.forceDestroy, raw.protect], [true, false]);
    });

    it("protects the buckets and refuses to empty them when the context protects data", async () => {
        const { resources } = await construct(lake, { protectData: true });
        for (const name of namesOf(resources, types.bucket)) {
            const bucket = named(resources, types.bucket, name);
            assert.deepStrictEqual([bucket.inputs.forceDestroy, bucket.protect], [false, true], name);
        }
    });

    it("applies the lifecycle it is given to the rejects zone", async () => {
        const { resources } = await construct(lake);
        const rules = named(resources, types.lifecycle, "lake-rejects").inputs.rules as { expiration?: { days: number } }[];
        assert.ok(rules.some((r) => r.expiration?.days === 60), "rejects expire after rejectsExpirationDays");
    });
});
