/** Alerting config: who the alarm topic and budget notifications reach. */
import { configNamespace, ConfigKey, ConfigReader, setCommand } from "./reader";
import { Environment } from "./catalog";

export const alertingKeys: readonly ConfigKey[] = [
    { name: "alertEmails", type: "array", default: [], example: '["data-oncall@example.com"]', description: "E-mail addresses subscribed to the alarm topic and to budget notifications." },
    { name: "pagerDutyEndpoint", type: "string", default: "", secret: true, example: "https://events.pagerduty.com/integration/<key>/enqueue", description: "Optional HTTPS endpoint (with its integration key) subscribed to the alarm topic. A secret: set it with `pulumi config set --secret`." },
];

export interface AlertingConfig {
    readonly emails: readonly string[];
    /** Present only when set, always as a secret at the source; the value never lands in code. */
    readonly pagerDutyEndpointKey?: string;
}

const emailPattern = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/;

export function parseAlerting(reader: ConfigReader, environment: Environment): AlertingConfig {
    const emails = reader.list("alertEmails");
    const badEmails = emails.filter((e) => !emailPattern.test(e));
    if (badEmails.length > 0) {
        reader.fail("alertEmails", "e-mail addresses such as data-oncall@example.com", badEmails);
    }
    if (environment === "prod" && emails.length === 0) {
        reader.fail("alertEmails", "at least one address in prod so alarms and budget alerts reach someone", emails);
    }
    const pagerDutyKey = `${configNamespace}:pagerDutyEndpoint`;
    const pagerDuty = reader.str("pagerDutyEndpoint");
    // A plain-text value is already reported by the reader; only a secret's shape is judged here.
    if (pagerDuty !== "" && reader.raw.secretKeys.has(pagerDutyKey) && !/^https:\/\/[^\s/]+\/\S*$/.test(pagerDuty)) {
        reader.report({ key: pagerDutyKey, expected: "an https:// URL", found: "a secret value that is not one", fix: setCommand(reader.key("pagerDutyEndpoint")) });
    }
    return { emails, ...(pagerDuty !== "" ? { pagerDutyEndpointKey: pagerDutyKey } : {}) };
}
