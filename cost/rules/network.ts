import type * as aws from "@pulumi/aws";
import type * as awsx from "@pulumi/awsx";
import { isUnknown, knownLength, readNumber, readString } from "../inputs";
import { AnyRule, costRule, fixed, free, monthlyHours, notPriced, priced, RuleContext, usage } from "./rule";

/** Usage shared by the Vpc rule (which prices the NAT gateways awsx creates) and the NatGateway rule. */
const natUsage = {
    natGatewayDataProcessedGb: { unit: "GB", description: "Data processed per NAT gateway per month." },
};

const interfaceEndpointUsage = {
    dataProcessedGb: { unit: "GB", description: "Data processed by the endpoint per month (all AZs)." },
};

/** The AZ count of the stack's VPC, for endpoints whose subnets are computed in a preview. */
function vpcAvailabilityZones(ctx: RuleContext): number | undefined {
    for (const vpc of ctx.stack.ofType("awsx:ec2:Vpc")) {
        const names = knownLength(vpc.inputs.availabilityZoneNames);
        const n = vpc.inputs.numberOfAvailabilityZones;
        if (names !== undefined) return names;
        if (typeof n === "number") return n;
        return 3;
    }
    return undefined;
}

/**
 * awsx.ec2.Vpc is one resource under mocks: its NAT gateways, their public IPv4 addresses and its
 * interface endpoints are priced from its inputs. In a real preview the children are listed
 * themselves, so the Vpc is then a logical grouping and the children carry the cost.
 */
export const awsxVpc = costRule<awsx.ec2.VpcArgs>({
    type: "awsx:ec2:Vpc",
    usage: { ...natUsage, ...interfaceEndpointUsage },
    price(props, resource, ctx) {
        const pricedChildren = ctx.stack
            .childrenOf(resource.urn)
            .filter((c) => ["aws:ec2/natGateway:NatGateway", "aws:ec2/eip:Eip", "aws:ec2/vpcEndpoint:VpcEndpoint"].includes(c.type));
        if (pricedChildren.length > 0) {
            return free("logical grouping: its NAT gateways, addresses and endpoints are listed and priced as their own resources");
        }
        const azNames = knownLength(props.availabilityZoneNames);
        const azs = azNames ?? readNumber(props.numberOfAvailabilityZones, "numberOfAvailabilityZones", 3);
        const specs = (props.subnetSpecs ?? [{ type: "Public" }, { type: "Private" }]) as { type?: unknown }[];
        const hasPublic = specs.some((s) => s.type === "Public");
        const hasPrivate = specs.some((s) => s.type === "Private");
        // awsx's default: one gateway per AZ when both public and private subnets exist, none otherwise.
        const strategy = props.natGateways?.strategy !== undefined ? readString(props.natGateways.strategy, "natGateways.strategy") : hasPublic && hasPrivate ? "OnePerAz" : "None";
        const gateways = strategy === "None" ? 0 : strategy === "Single" ? 1 : strategy === "OnePerAz" ? azs : NaN;
        if (Number.isNaN(gateways)) {
            return notPriced(`natGateways.strategy "${strategy}" is not one of None, Single, OnePerAz`);
        }
        const ownAddresses = knownLength(props.natGateways?.elasticIpAllocationIds) === undefined ? gateways : 0;
        const interfaceSpecs = (props.vpcEndpointSpecs ?? []).filter((s) => s.vpcEndpointType === "Interface").length;
        const dataPerGateway = ctx.usage("natGatewayDataProcessedGb");
        const components = [];
        if (gateways > 0) {
            components.push(
                fixed(ctx, `NAT gateways (${gateways}, strategy ${strategy})`, "vpc.natGateway.hour", monthlyHours(ctx, gateways)),
                usage(ctx, "NAT data processed", "vpc.natGateway.dataGb", dataPerGateway === undefined ? undefined : dataPerGateway * gateways),
            );
        }
        if (ownAddresses > 0) {
            components.push(fixed(ctx, `Public IPv4 addresses of the NAT gateways (${ownAddresses})`, "vpc.publicIpv4.hour", monthlyHours(ctx, ownAddresses)));
        }
        if (interfaceSpecs > 0) {
            components.push(
                fixed(ctx, `Interface endpoints (${interfaceSpecs} × ${azs} AZs)`, "vpc.interfaceEndpoint.azHour", monthlyHours(ctx, interfaceSpecs * azs)),
                usage(ctx, "Interface endpoint data processed", "vpc.interfaceEndpoint.dataGb", ctx.usage("dataProcessedGb")),
            );
        }
        if (components.length === 0) {
            return free(`no NAT gateways (strategy ${strategy}) and no interface endpoints: VPCs, subnets, route tables and gateway endpoints have no charge`);
        }
        return priced(components);
    },
});

export const vpcEndpoint = costRule<aws.ec2.VpcEndpointArgs>({
    type: "aws:ec2/vpcEndpoint:VpcEndpoint",
    usage: interfaceEndpointUsage,
    price(props, _resource, ctx) {
        const kind = readString(props.vpcEndpointType, "vpcEndpointType", "Gateway");
        if (kind === "Gateway") {
            return free("gateway endpoints (S3, DynamoDB) have no charge");
        }
        if (kind !== "Interface") {
            return notPriced(`vpcEndpointType ${kind} has no price in the price file (only Interface and Gateway are modelled)`);
        }
        let azs = isUnknown(props.subnetIds) ? undefined : knownLength(props.subnetIds);
        if (azs === undefined) {
            azs = vpcAvailabilityZones(ctx);
        }
        if (azs === undefined) {
            return notPriced("subnetIds are not known before apply and the stack declares no VPC to count AZs from");
        }
        return priced(
            fixed(ctx, `Endpoint (Interface, ${azs} AZs)`, "vpc.interfaceEndpoint.azHour", monthlyHours(ctx, azs)),
            usage(ctx, "Data processed", "vpc.interfaceEndpoint.dataGb", ctx.usage("dataProcessedGb")),
        );
    },
});

export const natGateway = costRule<aws.ec2.NatGatewayArgs>({
    type: "aws:ec2/natGateway:NatGateway",
    usage: natUsage,
    price(_props, _resource, ctx) {
        return priced(
            fixed(ctx, "NAT gateway", "vpc.natGateway.hour", monthlyHours(ctx, 1)),
            usage(ctx, "Data processed", "vpc.natGateway.dataGb", ctx.usage("natGatewayDataProcessedGb")),
        );
    },
});

export const elasticIp = costRule<aws.ec2.EipArgs>({
    type: "aws:ec2/eip:Eip",
    usage: {},
    price(_props, _resource, ctx) {
        return priced(fixed(ctx, "Public IPv4 address", "vpc.publicIpv4.hour", monthlyHours(ctx, 1)));
    },
});

export const networkRules: readonly AnyRule[] = [awsxVpc, vpcEndpoint, natGateway, elasticIp];
