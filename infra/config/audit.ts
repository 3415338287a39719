/** Audit trail config: the platform's own CloudTrail trail (on by default), or the organization trail that replaces it. */
import { ConfigKey, ConfigReader } from "./reader";

export const auditKeys: readonly ConfigKey[] = [
    {
        name: "organizationTrailArn",
        type: "string",
        default: "",
        example: "arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail",
        description: "ARN of an organization trail that already records this account. Set it to opt out of the platform's own trail (no trail, trail bucket or trail alarms are created); empty creates the trail.",
    },
    { name: "auditReadDataEvents", type: "boolean", default: false, example: "true", description: "Also record S3 read data events (GetObject) on the lake buckets; writes and deletes are always recorded." },
    { name: "auditRetentionDays", type: "integer", default: 400, example: "2555", description: "Days the trail's log files are kept (and, when protectData is true, locked against deletion with S3 Object Lock), 90 to 3650." },
];

export interface AuditConfig {
    /** The organization trail that records the account instead; when set, the platform declares no trail. */
    readonly organizationTrailArn?: string;
    /** Record S3 reads (GetObject) on the lake buckets too. */
    readonly readDataEvents: boolean;
    /** Days the trail's log files are kept (and locked in protected stacks). */
    readonly retentionDays: number;
}

const trailArnPattern = /^arn:aws[a-z-]*:cloudtrail:[a-z0-9-]+:\d{12}:trail\/[A-Za-z0-9._-]{3,128}$/;

export function parseAudit(reader: ConfigReader): AuditConfig {
    const organizationTrailArn = reader.str("organizationTrailArn");
    if (organizationTrailArn !== "" && !trailArnPattern.test(organizationTrailArn)) {
        reader.fail(
            "organizationTrailArn",
            "a CloudTrail trail ARN (arn:aws:cloudtrail:<region>:<account>:trail/<name>), or empty for the platform's own trail",
            organizationTrailArn,
            "pulumi config set platform:organizationTrailArn arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail (or pulumi config rm platform:organizationTrailArn to keep the platform's trail)",
        );
    }
    return {
        ...(organizationTrailArn !== "" ? { organizationTrailArn } : {}),
        readDataEvents: reader.bool("auditReadDataEvents"),
        retentionDays: reader.range("auditRetentionDays", 90, 3650),
    };
}
