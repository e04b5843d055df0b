"""What CloudFormation needs at deploy time, read from the synthesised assembly.

Every role a resource or trust policy names, and every role a resource is given by ARN (CodePipeline
checks at CreatePipeline that it can assume each action's role), exists when its stack deploys (KMS,
S3 and IAM reject a principal that does not); a value one stack takes from another is an export of a
stack it depends on; a bucket deleted with its stack is emptied first (a versioned bucket with
objects cannot be deleted).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import cx_api

from {{ cookiecutter.package_name }}.stage import DEPLOYED_WITH_BOOTSTRAP

ROOT = Path(__file__).resolve().parent.parent
# The roles `cdk bootstrap` creates in every environment (any qualifier).
BOOTSTRAP_ROLE = re.compile(r":role/cdk-[a-z0-9]+-(deploy|file-publishing|image-publishing|lookup|cfn-exec)-role-")


def _stages(assembly: cx_api.CloudAssembly) -> list[cx_api.CloudAssembly]:
    stages = [nested.nested_assembly for nested in assembly.nested_assemblies]
    assert stages and all(stage.stacks for stage in stages), "the assembly has no stage with stacks"
    return stages


def _upstream(stack: cx_api.CloudFormationStackArtifact) -> list[cx_api.CloudFormationStackArtifact]:
    """The stack and every stack it depends on, directly or not."""
    found, pending = {}, [stack]
    while pending:
        current = pending.pop()
        if current.id not in found:
            found[current.id] = current
            pending += [d for d in current.dependencies if isinstance(d, cx_api.CloudFormationStackArtifact)]
    return list(found.values())


def _literal(value, account: str) -> str | None:
    """A string value as deployed, or None when it comes from a resource (CloudFormation orders those)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Ref" in value:
        return {"AWS::Partition": "aws", "AWS::AccountId": account}.get(value["Ref"])
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        rendered = [_literal(part, account) for part in parts]
        return None if None in rendered else separator.join(rendered)
    return None


def _policy_principals(node) -> Iterator[object]:
    """Every value under a Principal or NotPrincipal, in documents given as objects or JSON strings."""
    if isinstance(node, dict) and "Fn::Join" in node and '"Statement"' in str(node["Fn::Join"][1][0]):
        # A JSON document joined around resource attributes, which CloudFormation orders itself.
        separator, parts = node["Fn::Join"]
        node = separator.join(part if isinstance(part, str) else "(from a resource)" for part in parts)
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("Principal", "NotPrincipal"):
                yield from _leaves(value)
            else:
                yield from _policy_principals(value)
    elif isinstance(node, list):
        for item in node:
            yield from _policy_principals(item)
    elif isinstance(node, str) and node.lstrip().startswith("{") and '"Statement"' in node:
        yield from _policy_principals(json.loads(node))


def _role_arns(node) -> Iterator[object]:
    """Every value under a RoleArn key: the roles a resource is given (a pipeline action's, a target's)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "RoleArn":
                yield value
            else:
                yield from _role_arns(value)
    elif isinstance(node, list):
        for item in node:
            yield from _role_arns(item)


def _deployed_with_bootstrap(stack: cx_api.CloudFormationStackArtifact) -> bool:
    return bool(stack.find_metadata_by_type(DEPLOYED_WITH_BOOTSTRAP))


def _leaves(principal) -> Iterator[object]:
    if isinstance(principal, dict) and not any(key.startswith("Fn::") or key == "Ref" for key in principal):
        for value in principal.values():
            yield from _leaves(value)
    elif isinstance(principal, list):
        for value in principal:
            yield from _leaves(value)
    else:
        yield principal


def _created_roles(stack: cx_api.CloudFormationStackArtifact) -> set[str]:
    """ARNs (after the partition) of the named roles a stack creates."""
    roles = set()
    for resource in stack.template.get("Resources", {}).values():
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::IAM::Role" and isinstance(properties.get("RoleName"), str):
            roles.add(f"iam::{stack.environment.account}:role{properties.get('Path', '/')}{properties['RoleName']}")
    return roles


def principal_ordering_problems(assembly: cx_api.CloudAssembly) -> list[str]:
    """Roles named as principals or given by ARN that neither their stack, nor one it depends on, nor
    a stack `make bootstrap` deploys (in any environment, before anything else) creates."""
    problems = []
    stacks = [stack for stage in _stages(assembly) for stack in stage.stacks]
    bootstrapped = set().union(*(_created_roles(s) for s in stacks if _deployed_with_bootstrap(s)))
    for stack in stacks:
        account = stack.environment.account
        created = bootstrapped.union(*(_created_roles(s) for s in _upstream(stack)))
        for logical_id, resource in stack.template.get("Resources", {}).items():
            properties = resource.get("Properties", {})
            for principal in [*_policy_principals(properties), *_role_arns(properties)]:
                arn = _literal(principal, account)
                if arn is None or ":role/" not in arn or BOOTSTRAP_ROLE.search(arn):
                    continue
                if arn.split(":", 2)[-1] not in created:
                    problems.append(f"{stack.hierarchical_id} {logical_id} ({resource['Type']}): {arn}")
    return problems


def test_every_role_named_in_a_policy_exists_before_its_stack_deploys(assembly):
    assert principal_ordering_problems(assembly) == []


def test_a_role_created_by_a_later_stack_is_reported(tmp_path):
    """The check itself: a key in one stack that names a role a dependent stack creates."""
    app = cdk.App(outdir=str(tmp_path))
    stage = cdk.Stage(app, "Probe", env=cdk.Environment(account="111111111111", region="us-east-1"))
    first, later = cdk.Stack(stage, "First"), cdk.Stack(stage, "Later")
    later.add_stack_dependency(first)
    iam.Role(later, "Role", role_name="probe-later", assumed_by=iam.AccountRootPrincipal())
    iam.Role(first, "Trusting", assumed_by=iam.ArnPrincipal("arn:aws:iam::111111111111:role/probe-later"))
    iam.Role(
        first,
        "Bootstrap",
        assumed_by=iam.ArnPrincipal("arn:aws:iam::111111111111:role/cdk-hnb659fds-deploy-role-111111111111-us-east-1"),
    )
    iam.Role(later, "Earlier", assumed_by=iam.ArnPrincipal("arn:aws:iam::111111111111:role/probe-later"))
    problems = principal_ordering_problems(app.synth())
    assert len(problems) == 1 and problems[0].startswith("Probe/First Trusting")


def test_an_action_role_another_stage_creates_is_reported_unless_bootstrap_deploys_it(tmp_path):
    """The check itself: CodePipeline assumes each action's role when the pipeline is created."""
    app = cdk.App(outdir=str(tmp_path))
    tooling = cdk.Stage(app, "Tooling", env=cdk.Environment(account="111111111111", region="us-east-1"))
    target = cdk.Stage(app, "Target", env=cdk.Environment(account="222222222222", region="us-east-1"))
    pipeline = cdk.Stack(tooling, "Pipeline")
    for name in ("later", "early"):
        cdk.CfnResource(
            pipeline,
            name,
            type="AWS::CodePipeline::Pipeline",
            properties={"Stages": [{"Actions": [{"RoleArn": f"arn:aws:iam::222222222222:role/probe-{name}"}]}]},
        )
    iam.Role(cdk.Stack(target, "Service"), "Later", role_name="probe-later", assumed_by=iam.AccountRootPrincipal())
    access = cdk.Stack(target, "Access")
    access.node.add_metadata(DEPLOYED_WITH_BOOTSTRAP, True)
    iam.Role(access, "Early", role_name="probe-early", assumed_by=iam.AccountRootPrincipal())
    problems = principal_ordering_problems(app.synth())
    assert len(problems) == 1 and problems[0].startswith("Tooling/Pipeline later"), problems


def test_stacks_share_values_through_exports_of_stacks_they_depend_on(assembly):
    """Strong references: a producer cannot change or drop a value a consumer still uses."""
    context = json.loads((ROOT / "cdk.json").read_text(encoding="utf-8"))["context"]
    assert context["@aws-cdk/core:defaultCrossStackReferences"] == "strong"
    for stage in _stages(assembly):
        for stack in stage.stacks:
            text = json.dumps(stack.template)
            assert "Fn::GetStackOutput" not in text, stack.hierarchical_id
            exported = {
                output["Export"]["Name"]
                for producer in _upstream(stack)
                if producer is not stack
                for output in producer.template.get("Outputs", {}).values()
                if "Export" in output
            }
            imported = set(re.findall(r'"Fn::ImportValue": "([^"]+)"', text))
            assert imported <= exported, (stack.hierarchical_id, imported - exported)


def test_every_bucket_deleted_with_its_stack_is_emptied_first(assembly):
    for stage in _stages(assembly):
        for stack in stage.stacks:
            resources = stack.template.get("Resources", {})
            emptied = {
                json.dumps(r["Properties"]["BucketName"])
                for r in resources.values()
                if r["Type"] == "Custom::S3AutoDeleteObjects"
            }
            for logical_id, resource in resources.items():
                if resource["Type"] != "AWS::S3::Bucket":
                    continue
                kept = resource.get("DeletionPolicy") == "Retain"
                assert kept or json.dumps({"Ref": logical_id}) in emptied, f"{stack.hierarchical_id} {logical_id}"
