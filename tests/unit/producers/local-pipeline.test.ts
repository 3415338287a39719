import * as assert from "assert";
import { startLocalIngestPipeline } from "../../../runtime/local/pipeline";

describe("local ingest pipeline engine name", () => {
    it("names the Kafka engine msk, as platform:streamingEngine does, and rejects the old name with the fix", async () => {
        await assert.rejects(
            () => startLocalIngestPipeline({ env: { INGEST_ENGINE: "kafka", RAW_BUCKET: "raw", REJECTS_BUCKET: "rejects", DATASET: "orders" } }),
            (error: Error) => /INGEST_ENGINE/.test(error.message) && /msk/.test(error.message) && /kafka/.test(error.message),
        );
    });
});
