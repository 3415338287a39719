/** Lake config: when objects in the S3 zones change storage class and expire. */
import { ConfigKey, ConfigReader } from "./reader";

export const lakeKeys: readonly ConfigKey[] = [
    { name: "lakeInfrequentAccessDays", type: "integer", default: 30, example: "30", description: "Days after which raw, curated and rejects objects move to S3 Standard-IA (at least 30)." },
    { name: "lakeArchiveDays", type: "integer", default: 180, example: "365", description: "Days after which raw and rejects objects move to Glacier Instant Retrieval; greater than lakeInfrequentAccessDays." },
    { name: "lakeNoncurrentVersionDays", type: "integer", default: 30, example: "30", description: "Days a noncurrent object version is kept before it expires (1 to 3650)." },
    { name: "rejectsExpirationDays", type: "integer", default: 400, example: "400", description: "Days after which rejected records expire; greater than lakeArchiveDays." },
];

export interface LakeConfig {
    readonly infrequentAccessDays: number;
    readonly archiveDays: number;
    readonly noncurrentVersionDays: number;
    readonly rejectsExpirationDays: number;
}

export function parseLake(reader: ConfigReader): LakeConfig {
    const lake: LakeConfig = {
        infrequentAccessDays: reader.range("lakeInfrequentAccessDays", 30, 3650),
        archiveDays: reader.range("lakeArchiveDays", 31, 3650),
        noncurrentVersionDays: reader.range("lakeNoncurrentVersionDays", 1, 3650),
        rejectsExpirationDays: reader.range("rejectsExpirationDays", 1, 3650),
    };
    // Lifecycle transitions must come in storage-class order, and rejects outlive their archive.
    if (lake.archiveDays <= lake.infrequentAccessDays) {
        reader.fail("lakeArchiveDays", `more than lakeInfrequentAccessDays (${lake.infrequentAccessDays})`, lake.archiveDays);
    }
    if (lake.rejectsExpirationDays <= lake.archiveDays) {
        reader.fail("rejectsExpirationDays", `more than lakeArchiveDays (${lake.archiveDays})`, lake.rejectsExpirationDays);
    }
    return lake;
}
