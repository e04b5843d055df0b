"""The pipeline turns the running task definition into CodeDeploy's taskdef.json and appspec.yaml."""

import io
import json

import yaml

from {{ cookiecutter.package_name }}.delivery import codedeploy_revision

DESCRIBED = {
    "taskDefinition": {
        "taskDefinitionArn": "arn:aws:ecs:us-east-1:111111111111:task-definition/app-dev-service:7",
        "family": "app-dev-service",
        "revision": 7,
        "status": "ACTIVE",
        "taskRoleArn": "arn:aws:iam::111111111111:role/task",
        "executionRoleArn": "arn:aws:iam::111111111111:role/execution",
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": "256",
        "memory": "512",
        "containerDefinitions": [
            {
                "name": "app",
                "image": "111111111111.dkr.ecr.us-east-1.amazonaws.com/app/service:old",
                "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
            },
            {"name": "log-router", "image": "public.ecr.aws/aws-observability/aws-for-fluent-bit:stable"},
        ],
        "registeredAt": "2026-01-01T00:00:00Z",
    }
}


def test_revision_keeps_registrable_fields_and_replaces_only_the_app_image(tmp_path, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(DESCRIBED)))
    codedeploy_revision.main(tmp_path)
    taskdef = json.loads((tmp_path / "taskdef.json").read_text())
    assert "revision" not in taskdef and "status" not in taskdef and "taskDefinitionArn" not in taskdef
    images = {c["name"]: c["image"] for c in taskdef["containerDefinitions"]}
    assert images["app"] == "<IMAGE1_NAME>"
    assert images["log-router"].startswith("public.ecr.aws/")
    spec = yaml.safe_load((tmp_path / "appspec.yaml").read_text())
    properties = spec["Resources"][0]["TargetService"]["Properties"]
    assert properties["TaskDefinition"] == "<TASK_DEFINITION>"
    assert properties["LoadBalancerInfo"] == {"ContainerName": "app", "ContainerPort": 8080}
