import { PolicyPack } from "@pulumi/policy";
import { packDescription, packEnforcementLevel, packName, policies } from "./pack";

// The pack's entry point, and the only place that constructs it: `new PolicyPack` starts the
// analyzer's gRPC server, and a process may serve one pack only. Tests and the offline runner
// import the policies from ./pack instead.
//
//   pulumi preview --policy-pack policies --policy-pack-config policies/config/<stack>.json
new PolicyPack(packName, {
    policies,
    enforcementLevel: packEnforcementLevel,
    description: packDescription,
    displayName: "ETL platform guardrails",
    provider: "aws",
    tags: ["aws", "security", "reliability", "governance", "cost", "checkov"],
});
