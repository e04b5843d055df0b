"""CDK entry point: one Stage per environment file in config/.

`cdk synth` runs this file; the tests call `build_app()` so that they synthesise
exactly what the CDK CLI would, with the same context and feature flags.
"""

import os

import aws_cdk as cdk

from {{ cookiecutter.package_name }} import compliance
from {{ cookiecutter.package_name }}.config import cdk_context, load_environments
from {{ cookiecutter.package_name }}.stage import ApplicationStage


def build_app(*, outdir: str | None = None) -> cdk.App:
    app = cdk.App(context=cdk_context(), outdir=outdir)
    for environment in load_environments():
        ApplicationStage(app, environment.stage_id, config=environment)
    compliance.apply(app)
    return app


if __name__ == "__main__":
    build_app(outdir=os.environ.get("CDK_OUTDIR", "cdk.out")).synth()
