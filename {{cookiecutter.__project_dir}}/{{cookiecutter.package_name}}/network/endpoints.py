"""Step 18: the tasks reach ECR, CloudWatch Logs and the AWS APIs they call over private endpoints.

With `egress: vpc-endpoints` these are the only way out of the private subnets; with NAT
gateways they still keep image pulls and logs on the AWS network.
"""

from __future__ import annotations

from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from {{ cookiecutter.package_name }}.networking import closed_security_group

HTTPS = 443


class PrivateEndpoints(Construct):
    """Gateway endpoints for S3 (image layers) and DynamoDB, interface endpoints for the rest."""

    INTERFACE_SERVICES: dict[str, ec2.InterfaceVpcEndpointAwsService] = {
        "EcrApi": ec2.InterfaceVpcEndpointAwsService.ECR,
        "EcrDocker": ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
        "Logs": ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
        "Sts": ec2.InterfaceVpcEndpointAwsService.STS,
        # The user pool's signing keys, which the tasks fetch to verify the tokens AppSync forwards.
        "CognitoIdp": ec2.InterfaceVpcEndpointAwsService.COGNITO_IDP,
{%- if cookiecutter.__lake == "yes" %}
        "Firehose": ec2.InterfaceVpcEndpointAwsService.KINESIS_FIREHOSE,
{%- endif %}
    }

    def __init__(self, scope: Construct, construct_id: str, *, vpc: ec2.IVpc, subnets: ec2.SubnetSelection) -> None:
        super().__init__(scope, construct_id)
        selected = vpc.select_subnets(subnet_group_name=subnets.subnet_group_name)
        self.security_group = closed_security_group(
            self, "SecurityGroup", vpc=vpc, description="Interface endpoints: HTTPS from the private subnets only"
        )
        for subnet in selected.subnets:
            # Literal subnet ranges (computed at synth), so the rule names exactly who may connect.
            self.security_group.add_ingress_rule(
                ec2.Peer.ipv4(subnet.ipv4_cidr_block), ec2.Port.tcp(HTTPS), f"HTTPS from {subnet.node.id}"
            )
        self.gateways = {
            "S3": vpc.add_gateway_endpoint("S3", service=ec2.GatewayVpcEndpointAwsService.S3, subnets=[subnets]),
            "DynamoDb": vpc.add_gateway_endpoint(
                "DynamoDb", service=ec2.GatewayVpcEndpointAwsService.DYNAMODB, subnets=[subnets]
            ),
        }
        self.interfaces = {
            name: vpc.add_interface_endpoint(
                name,
                service=service,
                subnets=subnets,
                security_groups=[self.security_group],
                private_dns_enabled=True,
                open=False,
            )
            for name, service in self.INTERFACE_SERVICES.items()
        }
