import * as assert from "assert";
import { localServiceEnv, readLocalSettings, unreachableMessage } from "../../../runtime/local/settings";

describe("local settings (one set for scripts, runner, benchmarks, tests and CLIs)", () => {
    it("derives every endpoint from the service scripts' ports", () => {
        const settings = readLocalSettings({ MOTO_PORT: "5761", KAFKA_PORT: "9761", KAFKA_CONTROLLER_PORT: "9762", PGPORT: "55761" });
        assert.strictEqual(settings.motoEndpoint, "http://127.0.0.1:5761");
        assert.deepStrictEqual(settings.kafkaBrokers, ["127.0.0.1:9761"]);
        assert.strictEqual(settings.postgresUrl, "postgres://postgres@127.0.0.1:55761/etl_test");
        assert.deepStrictEqual(localServiceEnv(settings), { MOTO_PORT: "5761", KAFKA_PORT: "9761", KAFKA_CONTROLLER_PORT: "9762", PGPORT: "55761", PGDATABASE: "etl_test" });
    });

    it("uses the scripts' defaults when nothing is set", () => {
        const settings = readLocalSettings({});
        assert.deepStrictEqual([settings.motoEndpoint, settings.kafkaBrokers[0], settings.pgPort], ["http://127.0.0.1:5055", "127.0.0.1:9092", 55432]);
    });

    it("puts the broker's SCRAM listener next to the controller port, with the local test user unless the environment names another", () => {
        assert.deepStrictEqual(readLocalSettings({ KAFKA_PORT: "9761", KAFKA_CONTROLLER_PORT: "9762" }).kafkaScram, { brokers: ["127.0.0.1:9763"], username: "platform-local", password: "platform-local-secret" });
        assert.deepStrictEqual(readLocalSettings({ KAFKA_SCRAM_PORT: "9900", KAFKA_SCRAM_USERNAME: "alice", KAFKA_SCRAM_PASSWORD: "s3cret" }).kafkaScram, { brokers: ["127.0.0.1:9900"], username: "alice", password: "s3cret" });
    });

    it("lets an explicit endpoint win over the port (the one precedence rule)", () => {
        const settings = readLocalSettings({ MOTO_PORT: "5761", MOTO_ENDPOINT: "http://10.0.0.5:5000/", KAFKA_PORT: "9761", KAFKA_BROKERS: "k1:9092,k2:9092" });
        assert.strictEqual(settings.motoEndpoint, "http://10.0.0.5:5000");
        assert.deepStrictEqual(settings.kafkaBrokers, ["k1:9092", "k2:9092"]);
    });

    it("refuses bad values naming the variable, what was found and the fix", () => {
        assert.throws(() => readLocalSettings({ MOTO_PORT: "moto" }), /MOTO_PORT must be an integer between 1 and 65535, found 'moto'/);
        assert.throws(() => readLocalSettings({ KAFKA_PORT: "9100", KAFKA_CONTROLLER_PORT: "9100" }), /KAFKA_CONTROLLER_PORT must differ from KAFKA_PORT, found both 9100; set KAFKA_CONTROLLER_PORT=9101/);
        assert.throws(() => readLocalSettings({ KAFKA_BROKERS: "localhost" }), /KAFKA_BROKERS must be a comma-separated list of host:port, found 'localhost'/);
        assert.throws(() => readLocalSettings({ MOTO_ENDPOINT: "127.0.0.1:5055" }), /MOTO_ENDPOINT must be an http\(s\) URL/);
    });

    it("names the service and the command that starts it on the same port", () => {
        const settings = readLocalSettings({ KAFKA_PORT: "9761", KAFKA_CONTROLLER_PORT: "9762" });
        assert.strictEqual(unreachableMessage(settings, "kafka"), "Kafka is not reachable at 127.0.0.1:9761; start it with: KAFKA_PORT=9761 KAFKA_CONTROLLER_PORT=9762 tools/services/kafka.sh start (or run npm run local, which starts every service)");
    });
});
