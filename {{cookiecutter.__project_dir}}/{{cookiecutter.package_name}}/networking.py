"""What every unit's security groups share.

Units create their security groups through this rather than restating it, or importing one another.
"""

from __future__ import annotations

from aws_cdk import aws_ec2 as ec2
from constructs import Construct


def closed_security_group(scope: Construct, construct_id: str, *, vpc: ec2.IVpc, description: str) -> ec2.SecurityGroup:
    """No rule at all, outbound included: each path is opened by name, where it is needed."""
    return ec2.SecurityGroup(scope, construct_id, vpc=vpc, description=description, allow_all_outbound=False)
