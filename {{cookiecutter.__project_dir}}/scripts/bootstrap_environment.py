"""`cdk bootstrap` of one environment, as config/<env>.yaml describes it (`make bootstrap ENV=<env>`).

Run it once per environment with that account's credentials. When a pipeline in another (tooling)
account deploys the environment, the bootstrap trusts that account: the pipeline then assumes the
environment's deploy, publishing and lookup roles. A trusted account deploys with the execution
policy below (what `cdk bootstrap` gives an untrusted bootstrap by default); name a narrower one
as `delivery.bootstrap_execution_policy` in config/<env>.yaml if your organisation requires it.

    python -m scripts.bootstrap_environment --env prod [--print]
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys

from {{ cookiecutter.package_name }}.config import ENVIRONMENT_NAMES, EnvironmentConfig, load_environments

CDK = ("npx", "--yes", "aws-cdk@2")
EXECUTION_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"


def tooling_environment(environments: list[EnvironmentConfig]) -> EnvironmentConfig | None:
    """The environment that hosts the pipeline (`delivery.pipeline: true`), if there is one."""
    return next((e for e in environments if e.section("delivery").get("pipeline")), None)


def bootstrap_arguments(name: str, environments: list[EnvironmentConfig]) -> list[str]:
    environment = next(e for e in environments if e.name == name)
    arguments = ["bootstrap", f"aws://{environment.account}/{environment.region}"]
    tooling = tooling_environment(environments)
    if tooling is not None and tooling.account != environment.account:
        policy = str(environment.section("delivery").get("bootstrap_execution_policy", EXECUTION_POLICY))
        arguments += ["--trust", tooling.account, "--cloudformation-execution-policies", policy]
    return arguments


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", required=True, choices=ENVIRONMENT_NAMES)
    parser.add_argument("--print", action="store_true", help="print the command instead of running it")
    options = parser.parse_args(argv)
    command = [*CDK, *bootstrap_arguments(options.env, load_environments())]
    if options.print:
        print(shlex.join(command))
        return 0
    return subprocess.run(command).returncode


if __name__ == "__main__":
    sys.exit(main())
