import * as assert from "assert";
import { auditKeys, parseAudit } from "../../../infra/config/audit";
import { parseClean, rejectsEach } from "./helpers";

describe("config area: audit", () => {
    it("defaults to the platform's own trail, writes and deletes only, kept 400 days", () => {
        assert.deepStrictEqual(parseClean(auditKeys, parseAudit), { readDataEvents: false, retentionDays: 400 });
    });

    it("opts out of the trail when the stack names the organization trail that records the account", () => {
        const arn = "arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail";
        assert.deepStrictEqual(parseClean(auditKeys, parseAudit, { organizationTrailArn: arn, auditReadDataEvents: "true", auditRetentionDays: "2555" }), {
            organizationTrailArn: arn,
            readDataEvents: true,
            retentionDays: 2555,
        });
    });

    rejectsEach(auditKeys, parseAudit, [
        {
            title: "an organization trail ARN that is not a trail",
            values: { organizationTrailArn: "arn:aws:s3:::org-trail-bucket" },
            problem: {
                key: "platform:organizationTrailArn",
                expected: "a CloudTrail trail ARN (arn:aws:cloudtrail:<region>:<account>:trail/<name>), or empty for the platform's own trail",
                found: '"arn:aws:s3:::org-trail-bucket"',
                fix: "pulumi config set platform:organizationTrailArn arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail (or pulumi config rm platform:organizationTrailArn to keep the platform's trail)",
            },
        },
        { title: "a retention shorter than 90 days", values: { auditRetentionDays: "30" }, problem: { key: "platform:auditRetentionDays", expected: "an integer from 90 to 3650", found: "30", fix: "pulumi config set platform:auditRetentionDays 2555" } },
    ]);
});
