/** Governance config: whether this stack owns the account's Lake Formation settings, and its admins. */
import { ConfigKey, ConfigReader } from "./reader";

export const governanceKeys: readonly ConfigKey[] = [
    { name: "manageLakeFormationSettings", type: "boolean", default: false, example: "true", description: "This stack owns the account's Lake Formation data lake settings (a per-account singleton). Set it on exactly one stack per account." },
    { name: "lakeFormationAdmins", type: "array", default: [], example: '["arn:aws:iam::123456789012:role/DataPlatformAdmin"]', description: "IAM role or user ARNs made Lake Formation administrators when manageLakeFormationSettings is true." },
];

export interface GovernanceConfig {
    readonly manageLakeFormationSettings: boolean;
    readonly lakeFormationAdmins: readonly string[];
}

const principalArnPattern = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/;

export function parseGovernance(reader: ConfigReader): GovernanceConfig {
    const admins = reader.list("lakeFormationAdmins");
    const badAdmins = admins.filter((arn) => !principalArnPattern.test(arn));
    if (badAdmins.length > 0) {
        reader.fail("lakeFormationAdmins", "IAM role or user ARNs", badAdmins);
    }
    const manageLakeFormationSettings = reader.bool("manageLakeFormationSettings");
    if (manageLakeFormationSettings && admins.length === 0) {
        reader.fail("lakeFormationAdmins", "at least one admin ARN when manageLakeFormationSettings is true", admins);
    }
    return { manageLakeFormationSettings, lakeFormationAdmins: admins };
}
