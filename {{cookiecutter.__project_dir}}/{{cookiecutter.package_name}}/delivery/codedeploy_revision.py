"""Turn the running task definition into CodeDeploy's inputs: taskdef.json and appspec.yaml.

Reads `aws ecs describe-task-definition --output json` on stdin. The app container's image
becomes the <IMAGE1_NAME> placeholder that the pipeline fills with the image just built.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

CONTAINER_NAME = "app"
IMAGE_PLACEHOLDER = "<IMAGE1_NAME>"
# What RegisterTaskDefinition accepts; the rest of DescribeTaskDefinition's answer is read-only.
REGISTRABLE = (
    "family",
    "taskRoleArn",
    "executionRoleArn",
    "networkMode",
    "containerDefinitions",
    "volumes",
    "placementConstraints",
    "requiresCompatibilities",
    "cpu",
    "memory",
    "runtimePlatform",
    "ephemeralStorage",
    "pidMode",
    "ipcMode",
    "proxyConfiguration",
)


def task_definition_template(described: dict[str, Any]) -> dict[str, Any]:
    task = described["taskDefinition"]
    template = {key: task[key] for key in REGISTRABLE if key in task}
    containers = [c for c in template["containerDefinitions"] if c["name"] == CONTAINER_NAME]
    if len(containers) != 1:
        raise ValueError(f"expected one container named {CONTAINER_NAME!r} in {task.get('family')}")
    containers[0]["image"] = IMAGE_PLACEHOLDER
    return template


def app_spec(template: dict[str, Any]) -> str:
    (container,) = [c for c in template["containerDefinitions"] if c["name"] == CONTAINER_NAME]
    port = container["portMappings"][0]["containerPort"]
    return (
        "version: 0.0\n"
        "Resources:\n"
        "  - TargetService:\n"
        "      Type: AWS::ECS::Service\n"
        "      Properties:\n"
        "        TaskDefinition: <TASK_DEFINITION>\n"
        "        LoadBalancerInfo:\n"
        f"          ContainerName: {CONTAINER_NAME}\n"
        f"          ContainerPort: {port}\n"
    )


def main(output_dir: Path = Path(".")) -> None:
    template = task_definition_template(json.load(sys.stdin))
    (output_dir / "taskdef.json").write_text(json.dumps(template, indent=2) + "\n", encoding="utf-8")
    (output_dir / "appspec.yaml").write_text(app_spec(template), encoding="utf-8")


if __name__ == "__main__":
    main()
