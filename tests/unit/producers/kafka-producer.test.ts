import * as assert from "assert";
import { buildKafkaConfig, quietKafkaLogCreator } from "../../../runtime/producers/kafka";

describe("the Kafka producer configuration", () => {
    it("is idempotent with one request in flight and no topic auto-creation", () => {
        const { client, producer } = buildKafkaConfig({ brokers: ["127.0.0.1:9092"], topic: "orders" });
        assert.deepStrictEqual(producer, { idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
        assert.strictEqual(client.ssl, false);
        assert.strictEqual(client.sasl, undefined);
        assert.deepStrictEqual(client.brokers, ["127.0.0.1:9092"]);
    });

    it("uses TLS and SASL OAUTHBEARER with MSK IAM tokens when IAM auth is configured", () => {
        const { client } = buildKafkaConfig({ brokers: ["b-1.msk.example:9098", "b-2.msk.example:9098"], topic: "orders", mskIam: { region: "eu-west-1" } });
        assert.strictEqual(client.ssl, true);
        assert.strictEqual(client.sasl?.mechanism, "oauthbearer");
        assert.strictEqual(typeof (client.sasl as { oauthBearerProvider?: unknown }).oauthBearerProvider, "function");
    });

    it("names the bad setting, what was found and an example", () => {
        assert.throws(() => buildKafkaConfig({ brokers: ["localhost"], topic: "orders" }), /brokers must be a non-empty list of host:port, found 'localhost'; pass for example 127.0.0.1:9092/);
        assert.throws(() => buildKafkaConfig({ brokers: [], topic: "orders" }), /brokers must be a non-empty list/);
        assert.throws(() => buildKafkaConfig({ brokers: ["h:1"], topic: "orders!" }), /topic must be 1-249 characters/);
    });
});

describe("the quiet kafkajs log creator", () => {
    function logged(entries: { namespace: string; level: number; message: string }[]): string[] {
        const lines: string[] = [];
        const logger = quietKafkaLogCreator((line) => lines.push(line))(0 as never);
        for (const entry of entries) {
            logger({ namespace: entry.namespace, level: entry.level as never, label: "", log: { message: entry.message, timestamp: "" } });
        }
        return lines;
    }

    it("drops the connection errors kafkajs logs on every retry (the final failure is thrown once)", () => {
        assert.deepStrictEqual(
            logged([
                { namespace: "Connection", level: 1, message: "Connection error: connect ECONNREFUSED 127.0.0.1:9092" },
                { namespace: "BrokerPool", level: 1, message: "Failed to connect to seed broker, trying another broker from the list: Connection error" },
                { namespace: "Connection", level: 1, message: "Response Metadata(key: 3, version: 6)" },
                { namespace: "Connection", level: 1, message: "Connection timeout" },
            ]),
            [],
        );
    });

    it("keeps other warnings and errors as one plain line each, and drops info and debug", () => {
        assert.deepStrictEqual(
            logged([
                { namespace: "Producer", level: 1, message: "Failed to send messages: boom" },
                { namespace: "Cluster", level: 2, message: "something odd" },
                { namespace: "Producer", level: 4, message: "connected" },
            ]),
            ["kafkajs ERROR [Producer] Failed to send messages: boom\n", "kafkajs WARN [Cluster] something odd\n"],
        );
    });
});
