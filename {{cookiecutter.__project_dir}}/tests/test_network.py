"""The network unit: a VPC over the configured AZs, private subnets, flow logs."""

from aws_cdk.assertions import Match

from {{ cookiecutter.package_name }}.config import load_environment, load_environments
from {{ cookiecutter.package_name }}.network.infrastructure import NetworkSettings

AZ_COUNT = {{ cookiecutter.az_count }}
WITH_NAT = {{ "True" if cookiecutter.__nat_gateways == "yes" else "False" }}


def test_private_subnets_span_the_configured_zones(dev):
    subnets = dev["Network"].find_resources("AWS::EC2::Subnet")
    private = [s for s in subnets.values() if not s["Properties"].get("MapPublicIpOnLaunch")]
    zones = {s["Properties"]["AvailabilityZone"] for s in private}
    assert zones == set(load_environment("dev").availability_zones)
    assert len(zones) == AZ_COUNT >= 2


def test_internet_access_only_with_nat_gateways(dev):
    network = dev["Network"]
    network.resource_count_is("AWS::EC2::InternetGateway", 1 if WITH_NAT else 0)
    network.resource_count_is("AWS::EC2::NatGateway", AZ_COUNT if WITH_NAT else 0)


def test_vpc_flow_logs_capture_all_traffic_to_cloudwatch(dev, prod):
    for env in (dev, prod):
        env["Network"].has_resource_properties(
            "AWS::EC2::FlowLog",
            {"ResourceType": "VPC", "TrafficType": "ALL", "LogDestinationType": "cloud-watch-logs"},
        )
    dev["Network"].has_resource_properties("AWS::Logs::LogGroup", {"RetentionInDays": 30})
    prod["Network"].has_resource_properties("AWS::Logs::LogGroup", {"RetentionInDays": 365})


def test_environments_set_their_own_address_range_and_flow_log_retention():
    dev, prod = (config.settings("network", NetworkSettings) for config in load_environments())
    assert dev.cidr != prod.cidr != NetworkSettings().cidr
    assert (dev.flow_log_retention, prod.flow_log_retention) == ("ONE_MONTH", "ONE_YEAR")


def test_environments_get_distinct_address_ranges(dev, prod):
    cidrs = [
        env["Network"].find_resources("AWS::EC2::VPC", {"Properties": {"CidrBlock": Match.any_value()}})
        for env in (dev, prod)
    ]
    blocks = [next(iter(c.values()))["Properties"]["CidrBlock"] for c in cidrs]
    assert blocks[0] != blocks[1]


SERVICE_TIER = {{ "True" if cookiecutter.__service == "yes" else "False" }}
ANALYTICS = {{ "True" if cookiecutter.__lake == "yes" else "False" }}


def _endpoint_services(template):
    """Endpoint service names with the region stripped, by endpoint type."""
    found = {}
    for endpoint in template.find_resources("AWS::EC2::VPCEndpoint").values():
        name = endpoint["Properties"]["ServiceName"]
        name = name if isinstance(name, str) else "".join(p for p in name["Fn::Join"][1] if isinstance(p, str))
        service = name.rsplit(".", 1)[-1] if "ecr." not in name else "ecr." + name.rsplit(".", 1)[-1]
        found.setdefault(endpoint["Properties"].get("VpcEndpointType", "Gateway"), set()).add(service)
    return found


def test_step_18_endpoints_let_the_tasks_run_without_nat(dev):
    services = _endpoint_services(dev["Network"])
    if not SERVICE_TIER:
        assert services == {}
        return
    assert services["Gateway"] == {"s3", "dynamodb"}
    expected = {"ecr.api", "ecr.dkr", "logs", "sts", "cognito-idp"} | ({"kinesis-firehose"} if ANALYTICS else set())
    assert services["Interface"] == expected


def test_interface_endpoints_admit_https_from_the_private_subnets_only(dev):
    from tests.security_groups import by_description, groups

    template = dev.raw("Network")
    if not SERVICE_TIER:
        described = [g.description for g in groups(template).values()]
        assert not any(d.startswith("Interface endpoints") for d in described), described
        return
    group = by_description(template, "Interface endpoints")
    private = {
        s["Properties"]["CidrBlock"]
        for s in template["Resources"].values()
        if s["Type"] == "AWS::EC2::Subnet" and not s["Properties"].get("MapPublicIpOnLaunch")
    }
    assert group.ingress == {(cidr, 443, 443) for cidr in private}
    assert group.egress == set()
    interfaces = dev["Network"].find_resources(
        "AWS::EC2::VPCEndpoint", {"Properties": {"VpcEndpointType": "Interface"}}
    )
    for endpoint in interfaces.values():
        assert endpoint["Properties"]["PrivateDnsEnabled"] is True
        assert endpoint["Properties"]["SecurityGroupIds"] == [{"Fn::GetAtt": [group.logical_id, "GroupId"]}]
