/**
 * The stack itself: its environment, region, ownership tags, data protection and log retention.
 * Every other area reads the environment from here (prod turns on the production guardrails).
 */
import { Environment, environments, logRetentionValues } from "./catalog";
import { ConfigKey, ConfigReader, show } from "./reader";

export const environmentKeys: readonly ConfigKey[] = [
    { name: "environment", type: "string", default: "dev", example: "prod", description: "Environment of this stack: dev or prod. prod turns on the production guardrails (3 AZs, data protection, mandatory policies)." },
    { name: "owner", type: "string", default: "data-platform", example: "data-platform", description: "Owning team, applied as the `owner` tag on every taggable resource." },
    { name: "costCenter", type: "string", default: "analytics", example: "analytics", description: "Cost center, applied as the `cost-center` tag on every taggable resource." },
    { name: "protectData", type: "boolean", default: false, example: "true", description: "Protect data stores (buckets, keys, streams, clusters, warehouses, catalog databases) with protect and retainOnDelete, and take final snapshots. Must be true in prod." },
    {
        name: "lambdaArchitecture",
        type: "string",
        default: "arm64",
        example: "x86_64",
        description: "Instruction set of every platform function: arm64 (Graviton, about 20 % less per GB-second) or x86_64. The functions are plain JavaScript with no native modules, so both run the same code.",
    },
    { name: "logRetentionDays", type: "integer", default: 30, example: "90", description: "Retention of every CloudWatch log group the platform creates, in days (a value CloudWatch accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, ...)." },
];

export interface EnvironmentConfig {
    readonly environment: Environment;
    /** Absent only when the stack's `aws:region` is missing or malformed (a problem is then recorded). */
    readonly region?: string;
    /** Tags applied to every taggable resource through the provider's default tags. */
    readonly tags: Readonly<Record<string, string>>;
    readonly protectData: boolean;
    readonly logRetentionDays: number;
    /** The instruction set every platform function runs on. */
    readonly lambdaArchitecture: LambdaArchitecture;
}

export const lambdaArchitectures = ["arm64", "x86_64"] as const;
export type LambdaArchitecture = (typeof lambdaArchitectures)[number];

const regionPattern = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

export function parseEnvironment(reader: ConfigReader): EnvironmentConfig {
    const region = reader.raw.values["aws:region"];
    const regionValid = region !== undefined && regionPattern.test(region);
    if (!regionValid) {
        reader.report({
            key: "aws:region",
            expected: "an AWS region such as us-east-1",
            found: region === undefined ? "nothing" : show(region),
            fix: "pulumi config set aws:region us-east-1",
        });
    }

    const environment = reader.oneOf("environment", environments);
    const protectData = reader.bool("protectData");
    if (environment === "prod" && !protectData) {
        reader.fail("protectData", "true in prod (data stores must be protected)", false, "pulumi config set platform:protectData true");
    }
    for (const tag of ["owner", "costCenter"]) {
        if (!/^[\w.:/=+\-@ ]{1,256}$/.test(reader.str(tag))) {
            reader.fail(tag, "a tag value of 1 to 256 letters, digits, spaces or _.:/=+-@", reader.str(tag));
        }
    }
    const logRetentionDays = reader.int("logRetentionDays");
    if (!logRetentionValues.includes(logRetentionDays)) {
        reader.fail("logRetentionDays", `a CloudWatch retention value (${logRetentionValues.slice(0, 12).join(", ")}, ...)`, logRetentionDays);
    }
    const { project, stack } = reader.raw;
    return {
        environment,
        ...(regionValid ? { region } : {}),
        tags: { environment, owner: reader.str("owner"), "cost-center": reader.str("costCenter"), project, stack },
        protectData,
        logRetentionDays,
        lambdaArchitecture: reader.oneOf("lambdaArchitecture", lambdaArchitectures),
    };
}
