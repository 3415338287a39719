import * as assert from "assert";
import { alertingKeys, parseAlerting } from "../../../infra/config/alerting";
import { ConfigReader } from "../../../infra/config/reader";
import { parseClean, readArea, rejectsEach } from "./helpers";

const dev = (reader: ConfigReader) => parseAlerting(reader, "dev");
const pagerDuty = "https://events.pagerduty.com/integration/abc/enqueue";

describe("config area: alerting", () => {
    it("defaults to no recipients in dev", () => {
        assert.deepStrictEqual(parseClean(alertingKeys, dev), { emails: [] });
    });

    it("accepts e-mail recipients in prod", () => {
        assert.deepStrictEqual(parseClean(alertingKeys, (reader) => parseAlerting(reader, "prod"), { alertEmails: '["data-oncall@example.com"]' }), { emails: ["data-oncall@example.com"] });
    });

    it("keeps only the key of a PagerDuty endpoint set as a secret, never its value", () => {
        const reader = readArea(alertingKeys, { pagerDutyEndpoint: pagerDuty }, { secretKeys: ["pagerDutyEndpoint"] });
        const parsed = parseAlerting(reader, "dev");
        assert.deepStrictEqual(reader.problems, []);
        assert.deepStrictEqual(parsed, { emails: [], pagerDutyEndpointKey: "platform:pagerDutyEndpoint" });
    });

    it("rejects a secret PagerDuty endpoint that is not an https URL without echoing the secret", () => {
        const reader = readArea(alertingKeys, { pagerDutyEndpoint: "http://insecure.example/key" }, { secretKeys: ["pagerDutyEndpoint"] });
        parseAlerting(reader, "dev");
        assert.deepStrictEqual(reader.problems, [
            { key: "platform:pagerDutyEndpoint", expected: "an https:// URL", found: "a secret value that is not one", fix: "pulumi config set --secret platform:pagerDutyEndpoint https://events.pagerduty.com/integration/<key>/enqueue" },
        ]);
    });

    it("rejects a PagerDuty endpoint given in plain text, telling how to set it as a secret", () => {
        const reader = readArea(alertingKeys, { pagerDutyEndpoint: pagerDuty });
        parseAlerting(reader, "dev");
        assert.deepStrictEqual(reader.problems, [
            {
                key: "platform:pagerDutyEndpoint",
                expected: "a secret value",
                found: "a plain-text value",
                fix: "remove it with pulumi config rm platform:pagerDutyEndpoint, then pulumi config set --secret platform:pagerDutyEndpoint https://events.pagerduty.com/integration/<key>/enqueue",
            },
        ]);
    });

    rejectsEach(alertingKeys, dev, [
        { title: "a malformed alert e-mail", values: { alertEmails: '["oncall@example.com","not-an-email"]' }, problem: { key: "platform:alertEmails", expected: "e-mail addresses such as data-oncall@example.com", found: '["not-an-email"]', fix: `pulumi config set platform:alertEmails '["data-oncall@example.com"]'` } },
        { title: "alert e-mails that are not a list", values: { alertEmails: "oncall@example.com" }, problem: { key: "platform:alertEmails", expected: "a list of strings", found: '"oncall@example.com"', fix: `pulumi config set platform:alertEmails '["data-oncall@example.com"]'` } },
    ]);

    rejectsEach(alertingKeys, (reader) => parseAlerting(reader, "prod"), [
        { title: "prod without recipients", values: {}, problem: { key: "platform:alertEmails", expected: "at least one address in prod so alarms and budget alerts reach someone", found: "[]", fix: `pulumi config set platform:alertEmails '["data-oncall@example.com"]'` } },
    ]);
});
