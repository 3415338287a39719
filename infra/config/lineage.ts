/**
 * Lineage config: where the stages' OpenLineage run events go (runtime/lineage). Every emitting
 * function writes them under a prefix of the raw bucket, outside every dataset's data, and, when
 * the stack names one, posts them to an https OpenLineage endpoint (Marquez) with an API key read
 * from Secrets Manager.
 */
import { aggregateTableName } from "../../runtime/datasets/schema";
import { DatasetDefinition } from "../../runtime/datasets/types";
import { checkHttpEndpoint } from "../../runtime/lineage/transport";
import { configNamespace, ConfigKey, ConfigReader, setCommand } from "./reader";

export const lineageKeys: readonly ConfigKey[] = [
    { name: "lineageEnabled", type: "boolean", default: true, example: "false", description: "Every stage emits OpenLineage run events (START, COMPLETE, FAIL) to the lineage prefix of the raw bucket; false switches emission off." },
    {
        name: "lineagePrefix",
        type: "string",
        default: "lineage",
        example: "lineage",
        description: "Key prefix of the lineage events in the raw bucket (lower case, starting with a letter); must lie outside every dataset's raw, rejects and curated prefixes.",
    },
    { name: "lineageNamespace", type: "string", default: "", example: "etl-platform-dev", description: "OpenLineage job namespace of every event. Empty: `<project>-<stack>`." },
    {
        name: "lineageHttpEndpoint",
        type: "string",
        default: "",
        example: "https://marquez.example.com/api/v1/lineage",
        description: "Optional https OpenLineage endpoint (Marquez: https://<host>/api/v1/lineage) the events are also posted to. Empty: the lake prefix only.",
    },
    {
        name: "lineageApiKeySecretArn",
        type: "string",
        default: "",
        example: "arn:aws:secretsmanager:us-east-1:123456789012:secret:lineage-api-key-AbCdEf",
        description: 'Secrets Manager secret holding {"apiKey": "..."} for lineageHttpEndpoint. Set this, or lineageApiKey to have the stack create the secret; neither: no Authorization header.',
    },
    {
        name: "lineageApiKey",
        type: "string",
        default: "",
        secret: true,
        example: "<api key>",
        description: "API key of lineageHttpEndpoint, when the stack creates its secret. A secret: set it with `pulumi config set --secret`; never plain text.",
    },
];

/** The API key of the endpoint: an existing secret, or the config secret the stack stores in one it creates. */
export type LineageApiKeyConfig = { readonly kind: "existing"; readonly secretArn: string } | { readonly kind: "create"; readonly configKey: string };

export interface LineageConfig {
    /** False: no function gets the LINEAGE_* settings and nothing is granted. */
    readonly enabled: boolean;
    /** Key prefix in the raw bucket, without slashes at either end. */
    readonly prefix: string;
    /** Job namespace of every event. */
    readonly namespace: string;
    /** The https endpoint the events are also posted to, and its API key. */
    readonly http?: { readonly endpoint: string; readonly apiKey?: LineageApiKeyConfig };
}

const prefixPattern = /^[a-z][a-z0-9-]*(\/[a-z0-9][a-z0-9_-]*)*$/;
const namespacePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const secretArnPattern = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;

/**
 * The first key segments of the lake's data: each dataset's raw, rejects and curated prefix
 * (`<dataset>/`) and each daily aggregate's (`<dataset>_<aggregate>/`).
 */
export function lakeDataPrefixes(datasets: readonly DatasetDefinition[]): string[] {
    return [...new Set(datasets.flatMap((dataset) => [dataset.name, ...dataset.aggregates.map((aggregate) => aggregateTableName(dataset, aggregate))]))];
}

/** The data prefix a lineage prefix shares keys with (equal, or one inside the other), if any. */
export function overlappingDataPrefix(prefix: string, dataPrefixes: readonly string[]): string | undefined {
    return dataPrefixes.find((data) => prefix === data || prefix.startsWith(`${data}/`) || data.startsWith(`${prefix}/`));
}

export interface LineageContext {
    readonly project: string;
    readonly stack: string;
    readonly region: string | undefined;
    /** The lake's data prefixes (`lakeDataPrefixes`), which the lineage prefix must stay out of. */
    readonly dataPrefixes: readonly string[];
}

/** Reads the `lineage*` keys, reporting every problem with its key, the value found and the fix. */
export function parseLineage(reader: ConfigReader, context: LineageContext): LineageConfig {
    const enabled = reader.bool("lineageEnabled");
    const prefix = reader.str("lineagePrefix");
    if (!prefixPattern.test(prefix)) {
        reader.fail("lineagePrefix", "a key prefix of lower-case letters, digits, - and _ in /-separated segments, starting with a letter, without a leading or trailing /", prefix, setCommand(reader.key("lineagePrefix")));
    } else {
        const overlap = overlappingDataPrefix(prefix, context.dataPrefixes);
        if (overlap !== undefined) {
            reader.fail(
                "lineagePrefix",
                `a prefix outside every dataset's raw, rejects and curated prefixes (${context.dataPrefixes.map((p) => `${p}/`).join(", ")})`,
                prefix,
                `it shares keys with the data under ${overlap}/; pick another, for example pulumi config set ${configNamespace}:lineagePrefix lineage`,
            );
        }
    }
    const namespaceSetting = reader.str("lineageNamespace");
    const namespace = namespaceSetting === "" ? `${context.project}-${context.stack}` : namespaceSetting;
    if (!namespacePattern.test(namespace)) {
        reader.fail("lineageNamespace", "1 to 128 letters, digits, ., _ and -, starting with a letter or digit", namespaceSetting, setCommand(reader.key("lineageNamespace")));
    }

    const endpoint = reader.str("lineageHttpEndpoint");
    const secretArn = reader.str("lineageApiKeySecretArn");
    const apiKeyKey = `${configNamespace}:lineageApiKey`;
    const apiKeySet = reader.str("lineageApiKey") !== "";
    if (endpoint !== "") {
        try {
            checkHttpEndpoint(`${configNamespace}:lineageHttpEndpoint`, endpoint);
        } catch {
            reader.fail("lineageHttpEndpoint", "an https URL such as https://marquez.example.com/api/v1/lineage (events leave the VPC encrypted only)", endpoint, setCommand(reader.key("lineageHttpEndpoint")));
        }
        if (!enabled) {
            reader.fail("lineageHttpEndpoint", "no endpoint while lineageEnabled is false", endpoint, `pulumi config rm ${configNamespace}:lineageHttpEndpoint, or pulumi config set ${configNamespace}:lineageEnabled true`);
        }
    }
    let apiKey: LineageApiKeyConfig | undefined;
    if (secretArn !== "" && apiKeySet) {
        reader.fail("lineageApiKey", "one of lineageApiKeySecretArn and lineageApiKey", "both", `keep one: pulumi config rm ${apiKeyKey}, or pulumi config rm ${configNamespace}:lineageApiKeySecretArn`);
    } else if (secretArn !== "") {
        const match = secretArnPattern.exec(secretArn);
        if (!match) {
            reader.fail("lineageApiKeySecretArn", "a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)", secretArn, "copy the ARN from the secret, or set the key itself with pulumi config set --secret platform:lineageApiKey");
        } else if (context.region && match[1] !== context.region) {
            reader.fail("lineageApiKeySecretArn", `a secret in the stack's region ${context.region}`, secretArn, "replicate the secret to the stack's region and use that ARN");
        } else {
            apiKey = { kind: "existing", secretArn };
        }
    } else if (apiKeySet) {
        apiKey = { kind: "create", configKey: apiKeyKey };
    }
    if (apiKey !== undefined && endpoint === "") {
        const name = apiKey.kind === "existing" ? "lineageApiKeySecretArn" : "lineageApiKey";
        reader.fail(name, "an API key only together with lineageHttpEndpoint (it authenticates the endpoint)", apiKey.kind === "existing" ? secretArn : "a secret value", `pulumi config set ${configNamespace}:lineageHttpEndpoint <https URL>, or pulumi config rm ${configNamespace}:${name}`);
    }
    return {
        enabled,
        prefix,
        namespace,
        ...(endpoint !== "" ? { http: { endpoint, ...(apiKey ? { apiKey } : {}) } } : {}),
    };
}
