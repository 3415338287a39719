import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { Pool } from "pg";
import { readLocalSettings, unreachableMessage } from "../../../runtime/local/settings";

/**
 * Connections to the local services the warehouse integration tests use. Start them first:
 *   tools/services/postgres.sh start   (PostgreSQL 15 on 127.0.0.1:$PGPORT, database $PGDATABASE)
 *   tools/services/moto.sh start       (moto on 127.0.0.1:$MOTO_PORT)
 * Ports and endpoints come from the one set of local settings (runtime/local/settings.ts).
 */
const settings = readLocalSettings();
export const postgresUrl = settings.postgresUrl;
export const motoEndpoint = settings.motoEndpoint;

export async function connectPostgres(): Promise<Pool> {
    const pool = new Pool({ connectionString: postgresUrl, max: 6 });
    try {
        await pool.query("SELECT 1");
    } catch (error) {
        await pool.end();
        throw new Error(unreachableMessage(settings, "postgres", (error as Error).message));
    }
    return pool;
}

export function motoS3(): S3Client {
    return new S3Client({ endpoint: motoEndpoint, forcePathStyle: true, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
}

/** Creates a bucket that no other test (or engineer) on the shared moto uses. */
export async function freshBucket(s3: S3Client, label: string): Promise<string> {
    const bucket = `${label}-${process.pid}-${Date.now().toString(36)}`;
    try {
        await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    } catch (error) {
        throw new Error(unreachableMessage(settings, "moto", (error as Error).message));
    }
    return bucket;
}

/** A schema name unique to this test process. */
export function freshSchema(label: string): string {
    return `${label}_${process.pid}_${Date.now().toString(36)}`;
}
