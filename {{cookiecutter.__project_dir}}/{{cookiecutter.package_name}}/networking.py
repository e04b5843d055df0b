"""What units in the VPC share: where their network interfaces go, and closed security groups.

Units receive a `Placement` and create their security groups through this module rather than
restating it, or importing one another.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import aws_ec2 as ec2
from constructs import Construct


@dataclass(frozen=True)
class Placement:
    """The subnet group `subnets` of `vpc`, where a unit puts its network interfaces."""

    vpc: ec2.IVpc
    subnets: ec2.SubnetSelection

    @property
    def subnet_ids(self) -> list[str]:
        return self.vpc.select_subnets(subnet_group_name=self.subnets.subnet_group_name).subnet_ids


def closed_security_group(scope: Construct, construct_id: str, *, vpc: ec2.IVpc, description: str) -> ec2.SecurityGroup:
    """No rule at all, outbound included: each path is opened by name, where it is needed."""
    return ec2.SecurityGroup(scope, construct_id, vpc=vpc, description=description, allow_all_outbound=False)
