"""Security-group rules of a synthesised template, as sets of (peer, from port, to port) per group."""

from __future__ import annotations

from dataclasses import dataclass, field

DENY_ALL_PLACEHOLDER = "255.255.255.255/32"  # CDK's "no egress" rule when a group may not talk out


def _id(value) -> str:
    if isinstance(value, dict) and "Ref" in value:
        return value["Ref"]
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        return value["Fn::GetAtt"][0]
    return str(value)


def _peer(rule: dict) -> str:
    for key in ("SourceSecurityGroupId", "DestinationSecurityGroupId"):
        if key in rule:
            return _id(rule[key])
    return rule.get("CidrIp") or rule.get("DestinationPrefixListId") or rule.get("CidrIpv6", "?")


def _rule(rule: dict) -> tuple[str, int | None, int | None]:
    return (_peer(rule), rule.get("FromPort"), rule.get("ToPort"))


@dataclass
class Group:
    logical_id: str
    description: str
    ingress: set = field(default_factory=set)
    egress: set = field(default_factory=set)


def groups(template: dict) -> dict[str, Group]:
    """Every security group of the template by logical id, with inline and separate rules merged."""
    resources = template["Resources"]
    found = {
        key: Group(key, value["Properties"]["GroupDescription"])
        for key, value in resources.items()
        if value["Type"] == "AWS::EC2::SecurityGroup"
    }
    for key, group in found.items():
        properties = resources[key]["Properties"]
        group.ingress |= {_rule(r) for r in properties.get("SecurityGroupIngress", [])}
        group.egress |= {
            _rule(r) for r in properties.get("SecurityGroupEgress", []) if r.get("CidrIp") != DENY_ALL_PLACEHOLDER
        }
    for value in resources.values():
        kind = {"AWS::EC2::SecurityGroupIngress": "ingress", "AWS::EC2::SecurityGroupEgress": "egress"}.get(
            value["Type"]
        )
        if kind:
            owner = found.get(_id(value["Properties"]["GroupId"]))
            if owner is not None:
                getattr(owner, kind).add(_rule(value["Properties"]))
    return found


def by_description(template: dict, prefix: str) -> Group:
    matches = [g for g in groups(template).values() if g.description.startswith(prefix)]
    assert len(matches) == 1, (prefix, [g.description for g in groups(template).values()])
    return matches[0]
