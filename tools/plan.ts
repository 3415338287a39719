import * as path from "path";
import { costSummary } from "../cost";
import { policySummary } from "../policies/runner/offline";
import { planDocument, planTree } from "./offline/plan-format";
import { runOffline } from "./offline/program";
import { parseFlags } from "./offline/flags";
import { terraformPlan } from "./offline/terraform-plan";

/**
 * `npm run plan -- --stack <dev|prod> [--json | --format terraform-plan]`: what a stack would
 * create, from its real config, without credentials or the Pulumi CLI. `--format terraform-plan`
 * prints it as a Terraform plan JSON document for Terraform scanners (Checkov, Trivy, KICS).
 * Exits 1 with the config error when the config is invalid.
 */
const planUsage = "npm run plan -- --stack <dev|prod> [--json | --format terraform-plan]";

async function main(argv: string[]): Promise<string> {
    const flags = parseFlags(argv, { stack: "string", json: "boolean", format: "string" }, planUsage);
    const format = flags.get("format");
    if (format !== undefined && format !== "terraform-plan") {
        throw new Error(`--format: expected terraform-plan; found "${format}". Fix: ${planUsage}`);
    }
    const run = await runOffline({ stack: flags.require("stack") });
    if (format === "terraform-plan") {
        return JSON.stringify(terraformPlan(run), null, 2) + "\n";
    }
    const cost = costSummary(run);
    const policy = await policySummary(run);
    if (flags.bool("json")) {
        return JSON.stringify({ ...planDocument(run), cost, policy }, null, 2) + "\n";
    }
    const usd = (n: number) => `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
    const usage = path.relative(process.cwd(), cost.usageSource) || cost.usageSource;
    return (
        planTree(run) +
        `\n\nMonthly cost at the usage in ${usage}: ${usd(cost.total)} = ${usd(cost.fixed)} fixed + ${usd(cost.usage)} usage` +
        `${cost.notPriced > 0 ? `; ${cost.notPriced} resource(s) not priced (npm run cost -- --stack ${run.stack} lists them)` : ""}\n` +
        `Policy pack (${policy.policies} policies, ${run.stack} enforcement): ${policy.mandatory} mandatory and ${policy.advisory} advisory violations` +
        `${policy.mandatory + policy.advisory > 0 ? ` (npm run policy -- --stack ${run.stack} lists them)` : ""}\n`
    );
}

// Exit only once stdout has flushed: a large --json document into a pipe would otherwise be cut short.
main(process.argv.slice(2)).then(
    (output) => process.stdout.write(output, () => process.exit(0)),
    (err: Error) => {
        process.stderr.write(`${err.message}\n`);
        process.exit(1);
    },
);
