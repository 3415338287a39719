import * as assert from "assert";
import { OfflineRun, RecordedResource } from "../../../tools/offline/program";
import { blockName, snakeCase, terraformPlan, terraformType, terraformValues } from "../../../tools/offline/terraform-plan";

function resource(type: string, name: string, inputs: Record<string, unknown>, extra: Partial<RecordedResource> = {}): RecordedResource {
    return { urn: `urn:pulumi:dev::platform::${type}::${name}`, type, name, custom: true, inputs, secretPaths: [], state: { ...inputs }, protect: false, retainOnDelete: false, ignoreChanges: [], dependencies: [], options: {}, ...extra };
}

describe("the Terraform plan export (npm run plan -- --format terraform-plan)", () => {
    it("maps Pulumi type tokens to Terraform types, mechanically and with the exceptions", () => {
        assert.strictEqual(terraformType("aws:kms/key:Key"), "aws_kms_key");
        assert.strictEqual(terraformType("aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings"), "aws_glue_data_catalog_encryption_settings");
        assert.strictEqual(terraformType("aws:s3/bucketV2:BucketV2"), "aws_s3_bucket");
        assert.strictEqual(terraformType("aws:s3/bucketVersioningV2:BucketVersioningV2"), "aws_s3_bucket_versioning");
        assert.strictEqual(terraformType("aws:s3/bucketObjectv2:BucketObjectv2"), "aws_s3_object");
        assert.strictEqual(terraformType("aws:ec2/securityGroup:SecurityGroup"), "aws_security_group");
        assert.strictEqual(terraformType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"), "aws_vpc_security_group_ingress_rule");
        assert.strictEqual(terraformType("aws:lakeformation/lfTag:LfTag"), "aws_lakeformation_lf_tag");
        assert.strictEqual(terraformType("awsx:ec2:Vpc"), undefined);
        assert.strictEqual(terraformType("pulumi:providers:aws"), undefined);
    });

    it("converts camelCase to snake_case and plural block lists to Terraform's block names", () => {
        assert.strictEqual(snakeCase("sseAwsKmsKeyId"), "sse_aws_kms_key_id");
        assert.strictEqual(snakeCase("bucketV2"), "bucket_v2");
        assert.strictEqual(blockName("rules"), "rule");
        assert.strictEqual(blockName("encryption_configurations"), "encryption_configuration");
        assert.strictEqual(blockName("ingress"), "ingress");
        assert.strictEqual(blockName("columns"), "columns");
    });

    it("makes single nested objects one-element lists, keeps maps and lists of strings", () => {
        assert.deepStrictEqual(
            terraformValues({ rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }], tags: { Name: "x" }, subnetIds: ["a"], vpcConfig: { subnetIds: ["a"] } }),
            { rule: [{ apply_server_side_encryption_by_default: [{ sse_algorithm: "aws:kms" }] }], tags: { Name: "x" }, subnet_ids: ["a"], vpc_config: [{ subnet_ids: ["a"] }] },
        );
    });

    it("writes planned values, resource changes and configuration references between resources", () => {
        const keyArn = "arn:aws:kms:us-east-1:123456789012:key/k";
        const run: OfflineRun = {
            stack: "dev",
            config: {},
            outputs: {},
            resources: [
                resource("aws:kms/key:Key", "lake", { enableKeyRotation: true }, { id: "k", state: { arn: keyArn } }),
                resource("aws:sns/topic:Topic", "alarms", { name: "alarms", kmsMasterKeyId: keyArn }),
                resource("awsx:ec2:Vpc", "network", {}, { custom: false }),
            ],
        };
        const plan = terraformPlan(run);
        assert.strictEqual(plan.format_version, "1.2");
        assert.deepStrictEqual(plan.planned_values.root_module.resources.map((r) => r.address), ["aws_kms_key.lake", "aws_sns_topic.alarms"]);
        assert.deepStrictEqual(plan.planned_values.root_module.resources[1].values, { name: "alarms", kms_master_key_id: keyArn });
        assert.deepStrictEqual(plan.resource_changes.map((c) => c.change.actions), [["create"], ["create"]]);
        const topic = plan.configuration.root_module.resources[1];
        assert.deepStrictEqual(topic.expressions.kms_master_key_id, { references: ["aws_kms_key.lake", "aws_kms_key.lake.arn"] });
        assert.deepStrictEqual(topic.expressions.name, { constant_value: "alarms" });
    });

    it("references inside nested blocks are nested expressions (a security group in a function's vpc_config)", () => {
        const run: OfflineRun = {
            stack: "dev",
            config: {},
            outputs: {},
            resources: [
                resource("aws:ec2/securityGroup:SecurityGroup", "fn-sg", { description: "d" }, { id: "sg-123" }),
                resource("aws:lambda/function:Function", "fn", { vpcConfig: { securityGroupIds: ["sg-123"], subnetIds: ["subnet-a"] } }),
            ],
        };
        const fn = terraformPlan(run).configuration.root_module.resources[1];
        assert.deepStrictEqual(fn.expressions.vpc_config, [{ security_group_ids: { references: ["aws_security_group.fn-sg", "aws_security_group.fn-sg.id"] }, subnet_ids: { constant_value: ["subnet-a"] } }]);
    });
});
