import * as assert from "assert";
import { governanceKeys, parseGovernance } from "../../../infra/config/governance";
import { parseClean, rejectsEach } from "./helpers";

const admin = "arn:aws:iam::123456789012:role/DataPlatformAdmin";

describe("config area: governance", () => {
    it("defaults to leaving the account's Lake Formation settings alone, with no admins", () => {
        assert.deepStrictEqual(parseClean(governanceKeys, parseGovernance), { manageLakeFormationSettings: false, lakeFormationAdmins: [] });
    });

    it("accepts role and user admins when the stack manages the settings", () => {
        const admins = [admin, "arn:aws-us-gov:iam::123456789012:user/ops/alice"];
        assert.deepStrictEqual(parseClean(governanceKeys, parseGovernance, { manageLakeFormationSettings: "true", lakeFormationAdmins: JSON.stringify(admins) }), {
            manageLakeFormationSettings: true,
            lakeFormationAdmins: admins,
        });
    });

    rejectsEach(governanceKeys, parseGovernance, [
        { title: "Lake Formation settings without admins", values: { manageLakeFormationSettings: "true" }, problem: { key: "platform:lakeFormationAdmins", expected: "at least one admin ARN when manageLakeFormationSettings is true", found: "[]", fix: `pulumi config set platform:lakeFormationAdmins '["arn:aws:iam::123456789012:role/DataPlatformAdmin"]'` } },
        { title: "an admin that is not a role or user ARN", values: { lakeFormationAdmins: JSON.stringify([admin, "arn:aws:iam::123456789012:group/admins"]) }, problem: { key: "platform:lakeFormationAdmins", expected: "IAM role or user ARNs", found: '["arn:aws:iam::123456789012:group/admins"]', fix: `pulumi config set platform:lakeFormationAdmins '["arn:aws:iam::123456789012:role/DataPlatformAdmin"]'` } },
    ]);
});
