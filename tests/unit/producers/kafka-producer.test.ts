import * as assert from "assert";
import { buildKafkaConfig } from "../../../runtime/producers/kafka";

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
