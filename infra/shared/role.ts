import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PolicyDocument, serviceTrustPolicy, trustPolicyJson } from "./iam";

export interface ServiceRoleArgs {
    /** The AWS service (or services) that assume the role, e.g. `lambda.amazonaws.com`. */
    readonly service: string | string[];
    /** What the role is for, shown in IAM. */
    readonly description: string;
    /** Pins the trust to this account with `aws:SourceAccount`. Leave unset for EC2 instance roles. */
    readonly accountId?: pulumi.Input<string>;
    /** The role's one inline policy: everything it may do. */
    readonly policy: pulumi.Input<PolicyDocument>;
}

/**
 * A role assumed by one AWS service with one inline policy and no managed policies: the shape of
 * every role the platform creates. Both resources are named `name`, children of `parent`.
 */
export function serviceRole(name: string, args: ServiceRoleArgs, parent: pulumi.Resource): { role: aws.iam.Role; policy: aws.iam.RolePolicy } {
    const role = new aws.iam.Role(
        name,
        {
            description: args.description,
            assumeRolePolicy: pulumi.output(args.accountId).apply((accountId) => trustPolicyJson(serviceTrustPolicy(args.service, accountId))),
        },
        { parent },
    );
    const policy = new aws.iam.RolePolicy(name, { role: role.name, policy: pulumi.output(args.policy).apply((document) => JSON.stringify(document)) }, { parent });
    return { role, policy };
}
