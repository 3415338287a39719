import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readServiceState, recordStarted, statePath, writeServiceState } from "../../../runtime/local/services";

describe("npm run local: which services it started (what --down stops)", () => {
    const ports = { MOTO_PORT: "5621", KAFKA_PORT: "9621" };

    it("records the services this run started with their ports, and keeps what an earlier run started", () => {
        const earlier = { started: { kafka: { KAFKA_PORT: "9621" } } };
        const next = recordStarted(
            earlier,
            [
                { name: "moto", endpoint: "http://127.0.0.1:5621", startedByThisRun: true },
                { name: "kafka", endpoint: "127.0.0.1:9621", startedByThisRun: false },
                { name: "postgres", endpoint: "127.0.0.1:55621", startedByThisRun: false },
            ],
            ports,
        );
        assert.deepStrictEqual(next, { started: { kafka: { KAFKA_PORT: "9621" }, moto: ports } });
    });

    it("never records a service it only reused", () => {
        const next = recordStarted({ started: {} }, [{ name: "postgres", endpoint: "127.0.0.1:55621", startedByThisRun: false }], ports);
        assert.deepStrictEqual(next, { started: {} });
    });

    it("keeps the record under .local/local-run and reads nothing started when there is none", () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "local-run-"));
        assert.deepStrictEqual(readServiceState(root), { started: {} });
        writeServiceState({ started: { moto: ports } }, root);
        assert.strictEqual(statePath(root), path.join(root, ".local", "local-run", "services.json"));
        assert.deepStrictEqual(readServiceState(root), { started: { moto: ports } });
        fs.rmSync(root, { recursive: true });
    });
});
