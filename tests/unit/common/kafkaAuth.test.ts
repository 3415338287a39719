import * as assert from "assert";
import { ConfigurationError } from "../../../runtime/common/errors";
import { KafkaAuthenticationError, kafkaAuthenticationError, kafkaClientAuthConfig, scramCredentialsFromEnv, scramCredentialsFromSecret } from "../../../runtime/common/kafkaAuth";

const pemCert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const pemKey = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";

describe("Kafka client authentication (runtime/common/kafkaAuth)", () => {
    it("configures SCRAM-SHA-512 over TLS by default, and without TLS only when asked (the local SASL_PLAINTEXT listener)", () => {
        assert.deepStrictEqual(kafkaClientAuthConfig({ mode: "scram", username: "u", password: "p" }), { ssl: true, sasl: { mechanism: "scram-sha-512", username: "u", password: "p" } });
        assert.strictEqual(kafkaClientAuthConfig({ mode: "scram", username: "u", password: "p", tls: false }).ssl, false);
    });

    it("configures MSK IAM as OAUTHBEARER over TLS, mutual TLS with the client certificate, and none as plaintext", () => {
        const iam = kafkaClientAuthConfig({ mode: "iam", region: "eu-west-1" });
        assert.strictEqual(iam.ssl, true);
        assert.strictEqual((iam.sasl as { mechanism: string }).mechanism, "oauthbearer");
        assert.deepStrictEqual(kafkaClientAuthConfig({ mode: "tls", certificatePem: pemCert, privateKeyPem: pemKey, caPem: pemCert }), { ssl: { cert: pemCert, key: pemKey, ca: [pemCert] } });
        assert.deepStrictEqual(kafkaClientAuthConfig({ mode: "none" }), { ssl: false });
    });

    it("refuses SCRAM without a password and mutual TLS without PEM material, naming the fix", () => {
        assert.throws(() => kafkaClientAuthConfig({ mode: "scram", username: "u", password: "" }), (e: Error) => e instanceof ConfigurationError && /found no password\. Fix: set KAFKA_SCRAM_USERNAME and KAFKA_SCRAM_PASSWORD/.test(e.message));
        assert.throws(() => kafkaClientAuthConfig({ mode: "tls", certificatePem: "cert", privateKeyPem: pemKey }), /mutual TLS needs the client certificate and its private key in PEM form/);
    });

    it("turns kafkajs's SASL failure, wrapped or not, into one error naming the brokers, the mechanism and the user, and leaves other errors alone", () => {
        const sasl = Object.assign(new Error("SASL SCRAM SHA512 authentication failed: invalid credentials"), { name: "KafkaJSSASLAuthenticationError" });
        const wrapped = Object.assign(new Error("Connection error"), { name: "KafkaJSNonRetriableError", originalError: sasl });
        for (const error of [sasl, wrapped]) {
            const translated = kafkaAuthenticationError(error, ["b1:9096", "b2:9096"], { mode: "scram", username: "ingest", password: "x" });
            assert.ok(translated instanceof KafkaAuthenticationError);
            assert.match(translated.message, /^Kafka at b1:9096,b2:9096 refused SASL\/SCRAM-SHA-512 authentication for user 'ingest': SASL SCRAM SHA512 authentication failed: invalid credentials\. Fix: check the user name and password/);
            assert.strictEqual(translated.cause, error);
        }
        assert.strictEqual(kafkaAuthenticationError(new Error("Connection timeout"), ["b1:9096"], { mode: "scram", username: "u", password: "p" }), undefined);
    });

    it("reads SCRAM credentials from the environment only as a pair", () => {
        assert.strictEqual(scramCredentialsFromEnv({}), undefined);
        assert.deepStrictEqual(scramCredentialsFromEnv({ KAFKA_SCRAM_USERNAME: "u", KAFKA_SCRAM_PASSWORD: "p" }), { username: "u", password: "p" });
        assert.throws(() => scramCredentialsFromEnv({ KAFKA_SCRAM_USERNAME: "u" }), /KAFKA_SCRAM_PASSWORD must be set together with KAFKA_SCRAM_USERNAME/);
    });

    it("reads SCRAM credentials from the AmazonMSK_ secret and refuses a value without username and password", async () => {
        const client = (value: string) => ({ send: async () => ({ SecretString: value }) }) as never;
        assert.deepStrictEqual(await scramCredentialsFromSecret("AmazonMSK_x", "us-east-1", client(JSON.stringify({ username: "u", password: "p" }))), { username: "u", password: "p" });
        await assert.rejects(scramCredentialsFromSecret("AmazonMSK_x", "us-east-1", client(JSON.stringify({ user: "u" }))), /must hold JSON with non-empty string fields username and password.*found fields user/);
        await assert.rejects(scramCredentialsFromSecret("AmazonMSK_x", "us-east-1", client("plain")), /must hold JSON \{"username": \.\.\., "password": \.\.\.\}/);
    });
});
