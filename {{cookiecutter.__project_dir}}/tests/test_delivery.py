"""Steps 13-17: source, build and test, ECR, deployment strategy, one CodePipeline in the tooling account."""

import dataclasses
from pathlib import Path

import aws_cdk as cdk
import pytest
import yaml

from {{ cookiecutter.package_name }}.config import ConfigError, load_environments
from {{ cookiecutter.package_name }}.delivery.infrastructure import Delivery
from {{ cookiecutter.package_name }}.delivery.settings import DeliverySettings

SOURCE = "{{ cookiecutter.source }}"
STRATEGY = "{{ cookiecutter.deployment }}"
NOTIFICATION_EMAIL = "{{ cookiecutter.notification_email }}"
ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENTS = load_environments()
TOOLING = next(e for e in ENVIRONMENTS if e.section("delivery").get("pipeline"))


def _only(template, kind):
    found = template.find_resources(kind)
    assert len(found) == 1, (kind, list(found))
    return next(iter(found.items()))


def _pipeline(dev):
    return _only(dev["Delivery"], "AWS::CodePipeline::Pipeline")[1]["Properties"]


def _actions(dev, stage_name):
    (stage,) = [s for s in _pipeline(dev)["Stages"] if s["Name"] == stage_name]
    return sorted(stage["Actions"], key=lambda a: a["RunOrder"])


def _statements(template, role_prefix):
    """Policy statements attached to roles whose logical id starts with `role_prefix`."""
    return [
        statement
        for policy in template.find_resources("AWS::IAM::Policy").values()
        if any(r["Ref"].startswith(role_prefix) for r in policy["Properties"]["Roles"])
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def _as_list(value):
    return value if isinstance(value, list) else [value]


# --------------------------------------------------------------------------- where it lives


def test_one_pipeline_lives_in_the_tooling_environment_only(dev, prod):
    assert TOOLING.name == "dev"
    assert "Delivery" in dev and "Delivery" not in prod


def test_environments_outside_the_tooling_region_are_refused():
    elsewhere = dataclasses.replace(ENVIRONMENTS[-1], region="eu-central-1")
    stack = cdk.Stack(cdk.App(), "Probe", env=TOOLING.env)
    with pytest.raises(ConfigError, match="not in the tooling region"):
        Delivery(stack, "Delivery", config=TOOLING, environments=[TOOLING, elsewhere])


# --------------------------------------------------------------------------- step 13: source


def test_source_history_images_and_artifacts_outlive_the_stack(dev):
    template = dev["Delivery"]
    kept = ["AWS::ECR::Repository", "AWS::S3::Bucket", "AWS::KMS::Key"]
    if SOURCE == "codecommit":
        kept.append("AWS::CodeCommit::Repository")
    for kind in kept:
        for logical_id, resource in template.find_resources(kind).items():
            assert resource.get("DeletionPolicy") == "Retain", logical_id
            assert resource.get("UpdateReplacePolicy") == "Retain", logical_id


def test_source_is_the_chosen_kind_on_the_configured_branch(dev):
    (action,) = _actions(dev, "Source")
    branch = TOOLING.section("delivery")["source_branch"]
    if SOURCE == "codecommit":
        assert action["ActionTypeId"]["Provider"] == "CodeCommit"
        assert action["Configuration"]["BranchName"] == branch
        repository_id, _ = _only(dev["Delivery"], "AWS::CodeCommit::Repository")
        assert action["Configuration"]["RepositoryName"] == {"Fn::GetAtt": [repository_id, "Name"]}
    else:
        assert action["ActionTypeId"]["Provider"] == "CodeStarSourceConnection"
        assert action["Configuration"]["BranchName"] == branch
        assert action["Configuration"]["ConnectionArn"].startswith("arn:aws:codeconnections:")
        dev["Delivery"].resource_count_is("AWS::CodeCommit::Repository", 0)


# --------------------------------------------------------------------------- step 14: build and test


def test_build_runs_the_projects_buildspec_privileged_encrypted_and_logged(dev):
    template = dev["Delivery"]
    projects = template.find_resources("AWS::CodeBuild::Project")
    (build,) = [p["Properties"] for p in projects.values() if p["Properties"]["Source"]["BuildSpec"] == "buildspec.yml"]
    assert build["Environment"]["PrivilegedMode"] is True
    assert build["Environment"]["Image"].startswith("aws/codebuild/standard:")
    key_id, _ = _only(template, "AWS::KMS::Key")
    for project in projects.values():
        assert project["Properties"]["EncryptionKey"] == {"Fn::GetAtt": [key_id, "Arn"]}
        assert project["Properties"]["LogsConfig"]["CloudWatchLogs"]["Status"] == "ENABLED"
    for group in template.find_resources("AWS::Logs::LogGroup").values():
        assert group["Properties"]["RetentionInDays"] > 0


def test_build_may_push_only_to_its_repository(dev):
    template = dev["Delivery"]
    repository_id, _ = _only(template, "AWS::ECR::Repository")
    pushes = [
        s
        for s in _statements(template, "DeliveryBuildRole")
        if any(a.startswith("ecr:") for a in _as_list(s["Action"]))
    ]
    for statement in pushes:
        if statement["Resource"] == "*":
            assert _as_list(statement["Action"]) == ["ecr:GetAuthorizationToken"]
        else:
            assert statement["Resource"] == {"Fn::GetAtt": [repository_id, "Arn"]}
    assert any("ecr:PutImage" in _as_list(s["Action"]) for s in pushes)


def test_deploy_projects_assume_only_their_environments_bootstrap_roles(dev):
    template = dev["Delivery"]
    for environment in ENVIRONMENTS:
        statements = [
            s
            for s in _statements(template, f"DeliveryDeploy{environment.stage_id}Role")
            if "sts:AssumeRole" in _as_list(s["Action"])
        ]
        (statement,) = statements
        roles = _as_list(statement["Resource"])
        assert len(roles) == 4
        assert all(r.startswith(f"arn:aws:iam::{environment.account}:role/cdk-hnb659fds-") for r in roles)
        assert all(r.endswith(f"-{environment.account}-{environment.region}") for r in roles)


def test_buildspec_installs_tests_synthesises_then_pushes_the_commit_image():
    spec = yaml.safe_load((ROOT / "buildspec.yml").read_text())
    assert spec["version"] == 0.2
    phases = spec["phases"]
    assert any("pip install" in c and "requirements-dev.txt" in c for c in phases["install"]["commands"])
    assert any("CODEBUILD_RESOLVED_SOURCE_VERSION" in c for c in phases["pre_build"]["commands"])
    build = phases["build"]["commands"]
    order = [
        next(i for i, c in enumerate(build) if marker in c)
        for marker in ("ruff check", "pytest", "app.py", "docker build", "docker push", "imageDetail.json")
    ]
    assert order == sorted(order)
    assert "--junitxml=reports/pytest.xml" in build[order[1]]
    report = spec["reports"]["tests"]
    assert report["file-format"] == "JUNITXML" and report["files"] == ["pytest.xml"]
    assert set(spec["artifacts"]["files"]) == {"imageDetail.json", "image-tag.txt"}


def test_deployspec_deploys_the_stage_with_the_built_image():
    spec = yaml.safe_load((ROOT / "{{ cookiecutter.package_name }}" / "delivery" / "deployspec.yml").read_text())
    build = spec["phases"]["build"]["commands"]
    (listing,) = [c for c in build if "cdk list" in c]
    # The pipeline never redeploys itself (test_first_deploy.py runs the filter on the stage's stacks).
    assert '"$STAGE/*"' in listing and "-e '/Delivery$'" in listing
    (deploy,) = [c for c in build if c.startswith("cdk deploy")]
    assert "$STACKS" in deploy and 'image_tag="$IMAGE_TAG"' in deploy and "--require-approval never" in deploy
    if STRATEGY == "codedeploy-blue-green":
        assert set(spec["artifacts"]["files"]) == {"taskdef.json", "appspec.yaml"}
        assert any("DEPLOYED_TAG" in c for c in build[: build.index(deploy)])
        assert any("codedeploy_revision" in c for c in build[build.index(deploy) :])
    else:
        assert "artifacts" not in spec and 'export IMAGE_TAG="$NEW_TAG"' in build


# --------------------------------------------------------------------------- step 15: deployment


def test_deployment_strategy_in_every_environment(dev, prod):
    for env in (dev, prod):
        service = _only(env["Service"], "AWS::ECS::Service")[1]["Properties"]
        target_groups = env["Service"].find_resources("AWS::ElasticLoadBalancingV2::TargetGroup")
        listeners = env["Service"].find_resources("AWS::ElasticLoadBalancingV2::Listener")
        groups = env["Service"].find_resources("AWS::CodeDeploy::DeploymentGroup")
        if STRATEGY == "codedeploy-blue-green":
            assert service["DeploymentController"] == {"Type": "CODE_DEPLOY"}
            assert len(target_groups) == 2 and len(listeners) == 2
            (group,) = groups.values()
            properties = group["Properties"]
            assert properties["DeploymentStyle"] == {
                "DeploymentOption": "WITH_TRAFFIC_CONTROL",
                "DeploymentType": "BLUE_GREEN",
            }
            assert properties["AutoRollbackConfiguration"]["Enabled"] is True
            assert set(properties["AutoRollbackConfiguration"]["Events"]) == {
                "DEPLOYMENT_FAILURE",
                "DEPLOYMENT_STOP_ON_REQUEST",
                "DEPLOYMENT_STOP_ON_ALARM",
            }
            assert properties["AlarmConfiguration"]["Enabled"] is True
            assert len(properties["AlarmConfiguration"]["Alarms"]) == 2
            pairs = properties["LoadBalancerInfo"]["TargetGroupPairInfoList"][0]
            assert len(pairs["TargetGroups"]) == 2 and pairs["TestTrafficRoute"]
        elif STRATEGY == "ecs-blue-green":
            assert "DeploymentController" not in service or service["DeploymentController"]["Type"] == "ECS"
            assert service["DeploymentConfiguration"]["Strategy"] == "BLUE_GREEN"
            assert service["DeploymentConfiguration"]["DeploymentCircuitBreaker"]["Rollback"] is True
            advanced = service["LoadBalancers"][0]["AdvancedConfiguration"]
            assert advanced["AlternateTargetGroupArn"] and advanced["TestListenerRule"]
            assert len(target_groups) == 2 and groups == {}
        else:
            assert "DeploymentController" not in service or service["DeploymentController"]["Type"] == "ECS"
            assert service["DeploymentConfiguration"].get("Strategy", "ROLLING") == "ROLLING"
            assert service["DeploymentConfiguration"]["DeploymentCircuitBreaker"]["Rollback"] is True
            assert len(target_groups) == 1 and groups == {}


def test_codedeploy_is_started_from_the_pipeline_with_each_environments_deploy_role(dev):
    for environment in ENVIRONMENTS:
        providers = [a["ActionTypeId"]["Provider"] for a in _actions(dev, f"Deploy{environment.stage_id}")]
        if STRATEGY == "codedeploy-blue-green":
            assert providers[-2:] == ["CodeBuild", "CodeDeployToECS"]
            action = _actions(dev, f"Deploy{environment.stage_id}")[-1]
            assert action["RoleArn"] == (
                f"arn:aws:iam::{environment.account}:role/{environment.stack_name('service')}-pipeline-deploy"
            )
        else:
            assert providers[-1] == "CodeBuild" and "CodeDeployToECS" not in providers


def _deployed(value, environment):
    """A policy resource as deployed in `environment` (partition, region and account filled in)."""
    if isinstance(value, str):
        return value
    separator, parts = value["Fn::Join"]
    pseudo = {"AWS::Partition": "aws", "AWS::Region": environment.region, "AWS::AccountId": environment.account}
    return separator.join(part if isinstance(part, str) else pseudo[part["Ref"]] for part in parts)


@pytest.mark.skipif(STRATEGY != "codedeploy-blue-green", reason="no CodeDeploy action")
@pytest.mark.parametrize("environment", ENVIRONMENTS, ids=lambda e: e.name)
def test_each_deploy_role_exists_before_the_pipeline_and_names_its_services_resources(dev, prod, environment):
    """The role lives in a stack of its own (deployed by `make bootstrap`), trusts the pipeline's role, and
    its policies name by ARN the application, group and task roles the Service stack creates later."""
    templates = {"dev": dev, "prod": prod}[environment.name]
    name = environment.stack_name("service")
    assert templates.raw("PipelineAccess")["Resources"], "no PipelineAccess stack"
    (role,) = (
        templates["PipelineAccess"]
        .find_resources("AWS::IAM::Role", {"Properties": {"RoleName": f"{name}-pipeline-deploy"}})
        .values()
    )
    (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert _deployed(trust["Principal"]["AWS"], environment) == f"arn:aws:iam::{TOOLING.account}:root"
    # Of the tooling account, only the pipeline's own role: the one the Delivery stack gives the pipeline.
    (pipeline_role,) = [
        r["Properties"]["RoleName"]
        for logical_id, r in dev.raw("Delivery")["Resources"].items()
        if {"Fn::GetAtt": [logical_id, "Arn"]} == _pipeline(dev)["RoleArn"]
    ]
    assert trust["Condition"] == {
        "ArnEquals": {"aws:PrincipalArn": f"arn:aws:iam::{TOOLING.account}:role/{pipeline_role}"}
    }
    trusted_elsewhere = [
        r
        for r in templates["Service"].find_resources("AWS::IAM::Role").values()
        if r["Properties"].get("RoleName") == f"{name}-pipeline-deploy"
    ]
    assert trusted_elsewhere == []
    granted = {
        action: {_deployed(r, environment) for r in _as_list(statement["Resource"])}
        for statement in _statements(templates["PipelineAccess"], "PipelineDeployRole")
        for action in _as_list(statement["Action"])
    }
    service = templates.raw("Service")["Resources"]
    roles = {
        r["Properties"]["RoleName"]
        for r in service.values()
        if r["Type"] == "AWS::IAM::Role" and isinstance(r["Properties"].get("RoleName"), str)
    }
    (task,) = [r["Properties"] for r in service.values() if r["Type"] == "AWS::ECS::TaskDefinition"]
    passed = {
        service[task[key]["Fn::GetAtt"][0]]["Properties"]["RoleName"] for key in ("TaskRoleArn", "ExecutionRoleArn")
    }
    assert passed <= roles
    assert granted["iam:PassRole"] == {f"arn:aws:iam::{environment.account}:role/{role}" for role in passed}
    (application,) = [r["Properties"] for r in service.values() if r["Type"] == "AWS::CodeDeploy::Application"]
    (group,) = [r["Properties"] for r in service.values() if r["Type"] == "AWS::CodeDeploy::DeploymentGroup"]
    codedeploy = f"arn:aws:codedeploy:{environment.region}:{environment.account}"
    assert {
        f"{codedeploy}:application:{application['ApplicationName']}",
        f"{codedeploy}:deploymentgroup:{application['ApplicationName']}/{group['DeploymentGroupName']}",
        f"{codedeploy}:deploymentconfig:{group['DeploymentConfigName']}",
    } == granted["codedeploy:CreateDeployment"]


# --------------------------------------------------------------------------- step 16: pipeline


def test_pipeline_v2_stages_follow_the_environments_with_approval_before_prod(dev):
    pipeline = _pipeline(dev)
    assert pipeline["PipelineType"] == "V2"
    names = [s["Name"] for s in pipeline["Stages"]]
    assert names == ["Source", "Build"] + [f"Deploy{e.stage_id}" for e in ENVIRONMENTS]
    for environment in ENVIRONMENTS:
        first = _actions(dev, f"Deploy{environment.stage_id}")[0]
        gated = first["ActionTypeId"]["Category"] == "Approval"
        assert gated == bool(environment.section("delivery").get("approval")), environment.name
    assert ENVIRONMENTS[-1].section("delivery")["approval"] is True


def test_artifacts_are_encrypted_with_a_key_access_logged_and_private(dev):
    template = dev["Delivery"]
    store = _pipeline(dev)["ArtifactStore"]
    key_id, key = _only(template, "AWS::KMS::Key")
    assert key["Properties"]["EnableKeyRotation"] is True
    assert store["EncryptionKey"]["Id"] == {"Fn::GetAtt": [key_id, "Arn"]}
    bucket = template.find_resources("AWS::S3::Bucket")[store["Location"]["Ref"]]["Properties"]
    encryption = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    assert encryption["SSEAlgorithm"] == "aws:kms"
    assert "DestinationBucketName" in bucket["LoggingConfiguration"]
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }


def test_notifications_only_when_an_email_was_given(dev):
    template = dev["Delivery"]
    if NOTIFICATION_EMAIL:
        template.has_resource_properties(
            "AWS::SNS::Subscription", {"Protocol": "email", "Endpoint": NOTIFICATION_EMAIL}
        )
        template.resource_count_is("AWS::CodeStarNotifications::NotificationRule", 1)
    else:
        template.resource_count_is("AWS::SNS::Topic", 0)
        template.resource_count_is("AWS::CodeStarNotifications::NotificationRule", 0)


# --------------------------------------------------------------------------- step 17: ECR


def test_image_repository_scans_is_immutable_expires_and_is_encrypted(dev):
    _, repository = _only(dev["Delivery"], "AWS::ECR::Repository")
    properties = repository["Properties"]
    assert properties["ImageScanningConfiguration"] == {"ScanOnPush": True}
    assert properties["ImageTagMutability"] == "IMMUTABLE"
    assert properties["EncryptionConfiguration"]["EncryptionType"] == "KMS"
    rules = yaml.safe_load(properties["LifecyclePolicy"]["LifecyclePolicyText"])["rules"]
    assert {r["selection"]["tagStatus"] for r in rules} == {"untagged", "any"}
    other_accounts = {e.account for e in ENVIRONMENTS} - {TOOLING.account}
    principals = str(properties.get("RepositoryPolicyText", {}))
    assert all(account in principals for account in other_accounts)


@pytest.mark.parametrize("name", [e.name for e in ENVIRONMENTS])
def test_tasks_pull_the_pipeline_image_from_the_tooling_repository(name, dev, prod):
    env = {"dev": dev, "prod": prod}[name]
    _, task = _only(env["Service"], "AWS::ECS::TaskDefinition")
    (container,) = [c for c in task["Properties"]["ContainerDefinitions"] if c["Name"] == "app"]
    image = container["Image"] if isinstance(container["Image"], str) else str(container["Image"])
    settings = TOOLING.section("delivery")
    assert f"{TOOLING.account}.dkr.ecr.{TOOLING.region}" in image
    assert settings["repository_name"] in image


# Keys written in both files on purpose: every environment names the one tooling environment's resources.
TOOLING_KEYS = {"tooling_account", "tooling_region", "repository_name", "artifact_bucket"}


def test_config_files_write_only_delivery_keys_that_differ_or_name_the_tooling_environment():
    sections = [yaml.safe_load((ROOT / "config" / f"{name}.yaml").read_text())["delivery"] for name in ("dev", "prod")]
    for key in TOOLING_KEYS:
        assert sections[0][key] == sections[1][key], key
    for key in (set(sections[0]) | set(sections[1])) - TOOLING_KEYS:
        assert sections[0].get(key) != sections[1].get(key), f"delivery.{key} is the same in both files"
    assert set(sections[0]) | set(sections[1]) <= {f.name for f in dataclasses.fields(DeliverySettings)}
    assert [e.settings("delivery", DeliverySettings).pipeline for e in ENVIRONMENTS].count(True) == 1
