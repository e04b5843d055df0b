"""The single source of truth for refarch: options, editions, rules and components.

Standard library only: the cookiecutter hooks import this module in whatever
interpreter cookiecutter or cruft runs, where nothing else may be installed.
Everything else (the CLI, cookiecutter.json, the hooks, the test matrix, the docs)
reads what is declared here.
"""

from __future__ import annotations

import difflib
import json
import keyword
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from generator.errors import RefarchError

TEMPLATE_VERSION = "0.3.0"
YES, NO = "yes", "no"
TOGGLE = (YES, NO)
# What a yes/no answer may be typed as, in any case, wherever answers come from.
TOGGLE_SPELLINGS = {spelling: YES for spelling in ("y", "yes", "true", "1", "on")} | {
    spelling: NO for spelling in ("n", "no", "false", "0", "off")
}
ENVIRONMENTS = ("dev", "prod")
SERVICE_REGIONS_FILE = Path(__file__).with_name("service_regions.json")
SUPPORTED_PARTITION = "aws"


class SpecError(RefarchError, ValueError):
    """An answer or a combination of answers the spec does not allow; str() is one line."""


# --------------------------------------------------------------------------- conditions


@dataclass(frozen=True)
class When:
    """True when `option` has one of `values`."""

    option: str
    values: tuple[str, ...]

    def holds(self, answers: dict[str, str]) -> bool:
        return answers.get(self.option) in self.values

    def describe(self) -> str:
        return f"{self.option}={'|'.join(self.values)}"


@dataclass(frozen=True)
class AnyOf:
    """True when any of its conditions holds."""

    conditions: tuple[When, ...]

    def holds(self, answers: dict[str, str]) -> bool:
        return any(c.holds(answers) for c in self.conditions)

    def describe(self) -> str:
        return " or ".join(c.describe() for c in self.conditions)


def on(option: str, *values: str) -> When:
    return When(option, values or (YES,))


ALWAYS: tuple[When | AnyOf, ...] = ()


def all_hold(conditions: tuple[When | AnyOf, ...], answers: dict[str, str]) -> bool:
    return all(c.holds(answers) for c in conditions)


# --------------------------------------------------------------------------- options

SLUG_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
ACCOUNT_RE = re.compile(r"^\d{12}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
DOMAIN_RE = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$", re.IGNORECASE)
CONNECTION_ARN_RE = re.compile(
    r"^arn:aws:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection/[0-9a-f-]{36}$"
)
REPOSITORY_RE = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


def _check_slug(value: str) -> str | None:
    if "/" in value or "\\" in value or ".." in value:
        return "must be a plain directory name (no path separators, no '..')"
    if not SLUG_RE.match(value) or len(value) > 32:
        return "must be 1-32 lowercase letters, digits and single hyphens, starting with a letter (example: my-app)"
    return None


def _check_package(value: str) -> str | None:
    if "/" in value or "\\" in value or ".." in value:
        return "must be a Python identifier (no path separators, no '..')"
    if not value.isidentifier() or not value.isascii() or value != value.lower():
        return "must be a lowercase Python identifier (example: my_app)"
    if keyword.iskeyword(value) or keyword.issoftkeyword(value):
        return "is a Python keyword; choose another package name"
    return None


def _check_account(value: str) -> str | None:
    return None if ACCOUNT_RE.match(value) else "is not a 12-digit AWS account id (example: 123456789012)"


def _check_region(value: str) -> str | None:
    data = service_regions()
    if value in data["regions"]:
        return None
    for partition, regions in data["other_partitions"].items():
        if value in regions:
            return f"is in partition {partition}; refarch supports the {SUPPORTED_PARTITION} partition only"
    close = difflib.get_close_matches(value, data["regions"], n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return f"is not an AWS region{hint}"


def _check_optional_email(value: str) -> str | None:
    return None if not value or EMAIL_RE.match(value) else "is not an email address (leave empty for none)"


def _check_domain(value: str) -> str | None:
    return None if DOMAIN_RE.match(value) else "is not a domain name (example: example.com)"


def _check_optional_connection_arn(value: str) -> str | None:
    if not value or CONNECTION_ARN_RE.match(value):
        return None
    return "is not a CodeConnections connection ARN (arn:aws:codeconnections:<region>:<account>:connection/<uuid>)"


def _check_repository(value: str) -> str | None:
    return None if REPOSITORY_RE.match(value) else "must be owner/name (example: my-org/my-app)"


def _check_relative_file(value: str) -> str | None:
    if not value or value.startswith("/") or ".." in value.split("/"):
        return "must be a path inside the project (example: config/idp-metadata.xml)"
    return None


def _check_text(value: str) -> str | None:
    if "\n" in value or '"' in value or "{{" in value or "{%" in value:
        return "must be one line without double quotes or template syntax"
    return None


@dataclass(frozen=True)
class Option:
    """One question. `default` may be a Jinja expression over earlier answers."""

    name: str
    kind: str  # "text" | "choice" | "toggle" | "integer"
    default: str
    help: str
    choices: tuple[str, ...] = ()
    asked_when: tuple[When | AnyOf, ...] = ALWAYS
    check: object = None  # callable(str) -> str | None, for text options
    group: str = "project"
    example: str = ""  # a valid value, for docs and test matrices, where the default is empty
    derived_from: str = ""  # the option whose answer the default is made from

    def allowed(self) -> str:
        if self.choices:
            return "one of " + ", ".join(self.choices)
        return {"text": "text", "integer": "an integer"}.get(self.kind, self.kind)


def _edition_default(name: str) -> str:
    """A Jinja default that follows the chosen edition, generated from EDITIONS."""
    table = {edition: bundle[name] for edition, bundle in EDITIONS.items()}
    return "{{ " + json.dumps(table, sort_keys=False) + "[cookiecutter.edition] }}"


EDITIONS: dict[str, dict[str, str]] = {
    # The complete seed architecture: every step, seed choices where they still deploy.
    "full": {
        "web_client": YES,
        "search": YES,
        "service_tier": YES,
        "dax": YES,
        "delivery": YES,
        "analytics": YES,
        "bi": YES,
        "saml_federation": YES,
        "warehouse": "serverless",
        "engagement": "end-user-messaging",
    },
    # The application without CI/CD and analytics: steps 1-12 and 18.
    "app": {
        "web_client": YES,
        "search": YES,
        "service_tier": YES,
        "dax": YES,
        "delivery": NO,
        "analytics": NO,
        "bi": NO,
        "saml_federation": NO,
        "warehouse": "none",
        "engagement": "none",
    },
    # The serverless core: Cognito, AppSync with Lambda and DynamoDB resolvers, the table.
    "minimal": {
        "web_client": YES,
        "search": NO,
        "service_tier": NO,
        "dax": NO,
        "delivery": NO,
        "analytics": NO,
        "bi": NO,
        "saml_federation": NO,
        "warehouse": "none",
        "engagement": "none",
    },
}
EDITION_HELP = {
    "full": "every one of the seed's 25 steps",
    "app": "the application tiers (steps 1-12, 18): no CI/CD, analytics or messaging",
    "minimal": "Cognito, AppSync and DynamoDB only (steps 1-4, 6, 12)",
}


def _options() -> tuple[Option, ...]:
    service = (on("service_tier"),)
    delivery = (on("service_tier"), on("delivery"))
    return (
        Option("project_name", "text", "Modern App", "Human-readable name of the application.", check=_check_text),
        # cookiecutter's own slugify filter (python-slugify) transliterates: "Café Crème" -> cafe-creme.
        Option(
            "project_slug",
            "text",
            "{{ cookiecutter.project_name | slugify(max_length=32, word_boundary=True) }}",
            "Directory name and stack-name prefix.",
            check=_check_slug,
            derived_from="project_name",
        ),
        Option(
            "package_name",
            "text",
            "{{ cookiecutter.project_slug.replace('-', '_') }}",
            "Python package of the CDK app.",
            check=_check_package,
            derived_from="project_slug",
        ),
        Option(
            "description",
            "text",
            "A modern serverless web and mobile application on AWS.",
            "One-line description for the README.",
            check=_check_text,
        ),
        Option("author", "text", "Platform Team", "Owner recorded in tags and pyproject.", check=_check_text),
        Option(
            "edition",
            "choice",
            "full",
            "Named bundle of components; later answers override it.",
            choices=tuple(EDITIONS),
        ),
        Option(
            "web_client",
            "toggle",
            _edition_default("web_client"),
            "Step 2: Amplify JS v6 web client.",
            choices=TOGGLE,
            group="components",
        ),
        Option(
            "cognito_mfa",
            "choice",
            "optional",
            "Step 1: multi-factor authentication for the user pool.",
            choices=("optional", "required", "off"),
            group="identity",
        ),
        Option(
            "cognito_feature_plan",
            "choice",
            "essentials",
            "Step 1: Cognito feature plan: Essentials (no charge for the first 10,000 monthly active users) "
            "or Plus (billed per monthly active user; needed for threat protection).",
            choices=("essentials", "plus"),
            group="identity",
        ),
        Option(
            "cognito_threat_protection",
            "choice",
            "{{ 'enforced' if cookiecutter.cognito_feature_plan == 'plus' else 'off' }}",
            "Step 1: Cognito threat protection (compromised credentials, adaptive authentication).",
            choices=("enforced", "audit", "off"),
            asked_when=(on("cognito_feature_plan", "plus"),),
            group="identity",
        ),
        Option(
            "api_xray",
            "toggle",
            YES,
            "Step 3: X-Ray tracing on AppSync and the Lambda resolvers.",
            choices=TOGGLE,
            group="api",
        ),
        Option(
            "search",
            "toggle",
            _edition_default("search"),
            "Steps 7-8: OpenSearch domain, AppSync search resolver and indexing from the table.",
            choices=TOGGLE,
            group="components",
        ),
        Option(
            "search_indexing",
            "choice",
            "stream-lambda",
            "Step 8: how table changes reach OpenSearch (the seed's Lambda, or DynamoDB zero-ETL).",
            choices=("stream-lambda", "zero-etl"),
            asked_when=(on("search"),),
            group="search",
        ),
        Option(
            "service_tier",
            "toggle",
            _edition_default("service_tier"),
            "Steps 5, 9-10, 18: HTTP resolver -> API Gateway -> VPC link -> load balancer -> Fargate.",
            choices=TOGGLE,
            group="components",
        ),
        Option(
            "vpc_link",
            "choice",
            "v1-nlb",
            "Step 9: VPC link v1 to an NLB (the seed's design) or VPC link v2 to an ALB.",
            choices=("v1-nlb", "v2-alb"),
            asked_when=service,
            group="service",
        ),
        Option(
            "api_waf",
            "toggle",
            YES,
            "Step 9: AWS WAF web ACL on the REST API.",
            choices=TOGGLE,
            asked_when=service,
            group="service",
        ),
        Option(
            "egress",
            "choice",
            "vpc-endpoints",
            "Step 18: private subnets reach AWS through VPC endpoints only, or also through NAT gateways.",
            choices=("vpc-endpoints", "nat-gateway"),
            asked_when=service,
            group="service",
        ),
        Option(
            "dax",
            "toggle",
            _edition_default("dax"),
            "Step 11: DAX cache in front of the table.",
            choices=TOGGLE,
            asked_when=service,
            group="components",
        ),
        Option(
            "delivery",
            "toggle",
            _edition_default("delivery"),
            "Steps 13-17: source, CodeBuild, ECR, deployment and CodePipeline.",
            choices=TOGGLE,
            asked_when=service,
            group="components",
        ),
        Option(
            "source",
            "choice",
            "codecommit",
            "Step 13: CodeCommit (the seed's choice) or GitHub/GitLab through CodeConnections.",
            choices=("codecommit", "codeconnections"),
            asked_when=delivery,
            group="delivery",
        ),
        Option(
            "source_connection_arn",
            "text",
            "",
            "Step 13: CodeConnections connection ARN (required when source=codeconnections).",
            asked_when=delivery + (on("source", "codeconnections"),),
            check=_check_optional_connection_arn,
            group="delivery",
            example="arn:aws:codeconnections:us-east-1:111111111111:connection/8d4b8f5e-1c2a-4b7e-9f0a-123456789abc",
        ),
        Option(
            "source_repository",
            "text",
            "my-org/{{ cookiecutter.project_slug }}",
            "Step 13: owner/name of the GitHub or GitLab repository.",
            asked_when=delivery + (on("source", "codeconnections"),),
            check=_check_repository,
            group="delivery",
        ),
        Option(
            "deployment",
            "choice",
            "codedeploy-blue-green",
            "Step 15: CodeDeploy blue/green (the seed's choice), ECS native blue/green, or rolling.",
            choices=("codedeploy-blue-green", "ecs-blue-green", "rolling"),
            asked_when=delivery,
            group="delivery",
        ),
        Option(
            "notification_email",
            "text",
            "",
            "Step 16: email for pipeline notifications (empty: none).",
            asked_when=delivery,
            check=_check_optional_email,
            group="delivery",
            example="team@example.com",
        ),
        Option(
            "analytics",
            "toggle",
            _edition_default("analytics"),
            "Steps 19-21: container logs -> Data Firehose -> S3 lake -> Glue -> Athena.",
            choices=TOGGLE,
            asked_when=service,
            group="components",
        ),
        Option(
            "bi",
            "toggle",
            _edition_default("bi"),
            "Step 22: Quick Sight dataset and dashboard over the lake.",
            choices=TOGGLE,
            asked_when=service + (on("analytics"),),
            group="components",
        ),
        Option(
            "quicksight_edition",
            "choice",
            "enterprise",
            "Step 24: Quick Sight edition of the account (row-level security and VPC connections need Enterprise).",
            choices=("enterprise", "standard"),
            asked_when=service + (on("analytics"), on("bi")),
            group="bi",
        ),
        Option(
            "quicksight_user",
            "text",
            "admin",
            "Step 22: Quick Sight user (in the default namespace) granted the data source and dataset.",
            asked_when=service + (on("analytics"), on("bi")),
            check=_check_text,
            group="bi",
        ),
        Option(
            "saml_federation",
            "toggle",
            _edition_default("saml_federation"),
            "Step 24: federated sign-in to Quick Sight through a SAML 2.0 identity provider.",
            choices=TOGGLE,
            asked_when=service + (on("analytics"), on("bi")),
            group="components",
        ),
        Option(
            "saml_metadata_file",
            "text",
            "config/idp-metadata.xml",
            "Step 24: path of the IdP's SAML metadata XML inside the project.",
            asked_when=service + (on("analytics"), on("bi"), on("saml_federation")),
            check=_check_relative_file,
            group="bi",
        ),
        Option(
            "warehouse",
            "choice",
            _edition_default("warehouse"),
            "Step 23: Redshift fed from DynamoDB by zero-ETL: Serverless, provisioned RA3, or none.",
            choices=("serverless", "provisioned", "none"),
            group="components",
        ),
        Option(
            "engagement",
            "choice",
            _edition_default("engagement"),
            "Step 25: messaging: AWS End User Messaging + SES (Pinpoint's successors), Pinpoint, or none.",
            choices=("end-user-messaging", "pinpoint", "none"),
            group="components",
        ),
        Option(
            "sender_domain",
            "text",
            "example.com",
            "Step 25: domain of the SES email identity that sends messages.",
            asked_when=(on("engagement", "end-user-messaging"),),
            check=_check_domain,
            group="engagement",
        ),
        Option(
            "dev_account_id",
            "text",
            "111111111111",
            "AWS account of the dev environment.",
            check=_check_account,
            group="environments",
        ),
        Option(
            "dev_region",
            "text",
            "us-east-1",
            "AWS region of the dev environment.",
            check=_check_region,
            group="environments",
        ),
        Option(
            "prod_account_id",
            "text",
            "222222222222",
            "AWS account of the prod environment.",
            check=_check_account,
            group="environments",
        ),
        Option(
            "prod_region",
            "text",
            "{{ cookiecutter.dev_region }}",
            "AWS region of the prod environment.",
            check=_check_region,
            group="environments",
        ),
        Option(
            "az_count",
            "integer",
            "{{ '3' if cookiecutter.warehouse == 'serverless' else '2' }}",
            "Availability zones the VPC spans (Redshift Serverless needs 3).",
            choices=("2", "3"),
            group="environments",
        ),
    )


OPTIONS: tuple[Option, ...] = _options()
OPTIONS_BY_NAME: dict[str, Option] = {o.name: o for o in OPTIONS}


# --------------------------------------------------------------------------- migrations


@dataclass(frozen=True)
class Migration:
    """A change to the answers at a template version, applied by `refarch update` to older projects.

    `kind` is "rename_option" (option -> new_name), "remove_option" (option is dropped),
    "rename_value" (option's old_value becomes new_value) or "add_option" (a project without the
    option gets new_value, when `when_option` has one of `when_values`: what it rendered before).
    CHANGELOG.md lists each one under its version.
    """

    version: str
    kind: str
    option: str
    new_name: str = ""
    old_value: str = ""
    new_value: str = ""
    when_option: str = ""
    when_values: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.kind == "rename_option":
            return f"option '{self.option}' is renamed '{self.new_name}'"
        if self.kind == "remove_option":
            return f"option '{self.option}' is removed"
        if self.kind == "add_option":
            when = f" when {self.when_option} is {'|'.join(self.when_values)}" if self.when_option else ""
            return f"option '{self.option}' is added: '{self.new_value}'{when}"
        return f"option '{self.option}': value '{self.old_value}' is renamed '{self.new_value}'"

    def apply(self, answers: dict[str, object]) -> dict[str, object]:
        migrated = dict(answers)
        if self.kind == "add_option":
            if self.option not in migrated and (
                not self.when_option or migrated.get(self.when_option) in self.when_values
            ):
                migrated[self.option] = self.new_value
            return migrated
        if self.option not in migrated:
            return migrated
        if self.kind == "rename_option":
            migrated[self.new_name] = migrated.pop(self.option)
        elif self.kind == "remove_option":
            del migrated[self.option]
        elif self.kind == "rename_value" and migrated[self.option] == self.old_value:
            migrated[self.option] = self.new_value
        return migrated


MIGRATION_KINDS = ("rename_option", "remove_option", "rename_value", "add_option")
MIGRATIONS: tuple[Migration, ...] = (
    # Before 0.2.0 threat protection chose the Plus plan by itself; projects that had it keep it.
    Migration(
        "0.2.0",
        "add_option",
        "cognito_feature_plan",
        new_value="plus",
        when_option="cognito_threat_protection",
        when_values=("enforced", "audit"),
    ),
)


def version_key(version: str) -> tuple[int, int, int]:
    """'1.2.3' (or 'v1.2.3') as a comparable tuple; anything else is a SpecError."""
    match = re.fullmatch(r"v?(\d+)\.(\d+)\.(\d+)", version.strip())
    if not match:
        raise SpecError(f"template version '{version}' is not a semantic version X.Y.Z")
    return int(match[1]), int(match[2]), int(match[3])


def migrate(answers: dict[str, object], from_version: str) -> tuple[dict[str, object], list[Migration]]:
    """Apply, in version order, every migration newer than `from_version` up to this template's version."""
    start, end = version_key(from_version), version_key(TEMPLATE_VERSION)
    due = sorted((m for m in MIGRATIONS if start < version_key(m.version) <= end), key=lambda m: version_key(m.version))
    for migration in due:
        answers = migration.apply(answers)
    return answers, due


# --------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class Rule:
    """When `when` holds, `then` must hold too; `reason` is shown to the user."""

    name: str
    when: tuple[When | AnyOf, ...]
    then: When
    reason: str


RULES: tuple[Rule, ...] = (
    Rule(
        "dax-needs-service-tier",
        (on("dax"),),
        on("service_tier"),
        "DAX lives in the VPC beside the Fargate service that reads through it (step 11)",
    ),
    Rule(
        "delivery-needs-service-tier",
        (on("delivery"),),
        on("service_tier"),
        "the pipeline builds and deploys the Fargate service's container image (steps 14-17)",
    ),
    Rule(
        "analytics-needs-service-tier",
        (on("analytics"),),
        on("service_tier"),
        "the data lake is fed by the Fargate containers' logs (step 19)",
    ),
    Rule("bi-needs-analytics", (on("bi"),), on("analytics"), "Quick Sight reads the lake through Athena (step 22)"),
    Rule("saml-needs-bi", (on("saml_federation"),), on("bi"), "the SAML role grants access to Quick Sight (step 24)"),
    Rule(
        "threat-protection-needs-plus",
        (on("cognito_threat_protection", "enforced", "audit"),),
        on("cognito_feature_plan", "plus"),
        "Cognito threat protection is a feature of the Plus plan (step 1)",
    ),
    Rule(
        "redshift-serverless-needs-3-azs",
        (on("warehouse", "serverless"),),
        on("az_count", "3"),
        "a Redshift Serverless workgroup needs subnets in 3 availability zones (step 23)",
    ),
    Rule(
        "codeconnections-needs-connection-arn",
        (on("delivery"), on("source", "codeconnections")),
        When("source_connection_arn", ("<set>",)),
        "a GitHub/GitLab source is reached through an existing CodeConnections connection (step 13)",
    ),
)


def _rule_holds(rule: Rule, answers: dict[str, str]) -> bool:
    if rule.then.values == ("<set>",):
        return bool(answers.get(rule.then.option))
    return rule.then.holds(answers)


# --------------------------------------------------------------------------- components


@dataclass(frozen=True)
class Component:
    """A part of the architecture: seed steps, the answers that enable it, its files.

    `paths` are relative to the rendered project; `{package}` stands for the package
    name. `services` are botocore endpoint prefixes that must be offered in each region.
    `unit` is the folder of the rendered project that holds it (default: from its tier),
    `tests` the rendered project's test files that assert it (default: that unit's),
    `prerequisite` what the AWS account needs before the first deploy (`{option}` is
    replaced by the answer), and `contains` the components grouped under it in diagrams.
    """

    name: str
    title: str
    tier: str
    steps: tuple[int, ...]
    enabled_when: tuple[When | AnyOf, ...] = ALWAYS
    paths: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    fixed_monthly_cost: str = ""
    unit: str = ""
    tests: tuple[str, ...] = ()
    prerequisite: str = ""
    contains: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.unit:
            object.__setattr__(self, "unit", TIERS[self.tier].unit if self.tier in TIERS else self.tier)
        if not self.tests:
            object.__setattr__(self, "tests", (f"tests/test_{self.unit.rsplit('/', 1)[-1]}.py",))

    def enabled(self, answers: dict[str, str]) -> bool:
        return all_hold(self.enabled_when, answers)

    def unit_path(self) -> str:
        """The unit's folder in the rendered project, with `{package}` for the package."""
        return self.unit if self.unit == "web" else "{package}/" + self.unit

    def prerequisite_for(self, answers: dict[str, str]) -> str:
        return self.prerequisite.format_map(answers)


@dataclass(frozen=True)
class Tier:
    """A layer of the architecture: diagrams group components by tier, in TIERS order."""

    title: str
    unit: str


TIERS: dict[str, Tier] = {
    "client": Tier("Web and mobile client", "web"),
    "identity": Tier("Identity", "identity"),
    "api": Tier("GraphQL API", "api"),
    "search": Tier("Search", "search"),
    "service": Tier("Container service", "service"),
    "data": Tier("Data", "data"),
    "network": Tier("Network", "network"),
    "delivery": Tier("CI/CD", "delivery"),
    "analytics": Tier("Analytics", "analytics"),
    "engagement": Tier("Engagement", "engagement"),
}


_SERVICE = (on("service_tier"),)
_DELIVERY = _SERVICE + (on("delivery"),)
_ANALYTICS = _SERVICE + (on("analytics"),)
_BI = _ANALYTICS + (on("bi"),)

COMPONENTS: tuple[Component, ...] = (
    # Only the service tier and the warehouse run inside a VPC: without them there is none to pay for.
    Component(
        "network",
        "VPC over the chosen AZs with flow logs",
        "network",
        (),
        enabled_when=(AnyOf((When("service_tier", (YES,)), When("warehouse", ("serverless", "provisioned")))),),
        paths=("{package}/network", "tests/test_network.py"),
        services=("ec2",),
    ),
    Component(
        "nat_gateways",
        "NAT gateways for egress",
        "network",
        (),
        enabled_when=_SERVICE + (on("egress", "nat-gateway"),),
        fixed_monthly_cost="one NAT gateway per AZ x hours, plus data processed",
    ),
    Component(
        "identity",
        "Cognito user pool and identity pool",
        "identity",
        (1,),
        paths=("{package}/identity",),
        services=("cognito-idp", "cognito-identity"),
    ),
    Component(
        "cognito_plus",
        "Cognito Plus feature plan",
        "identity",
        (1,),
        enabled_when=(on("cognito_feature_plan", "plus"),),
        tests=("tests/test_identity.py",),
        fixed_monthly_cost="billed per monthly active user, from the first (Essentials: the first 10,000 free)",
    ),
    Component(
        "web_client",
        "Amplify JS v6 web client",
        "client",
        (2,),
        enabled_when=(on("web_client"),),
        paths=("web", "scripts/write_amplify_outputs.py", "tests/test_web_client.py"),
        tests=("tests/test_web_client.py",),
    ),
    Component(
        "graphql_api",
        "AppSync GraphQL API with a Lambda resolver",
        "api",
        (3, 4),
        paths=("{package}/api",),
        services=("appsync", "lambda"),
        tests=("tests/test_api.py", "tests/test_schema.py", "tests/runtime/test_api_*.py"),
    ),
    Component(
        "xray",
        "X-Ray tracing of AppSync and the Lambda resolvers",
        "api",
        (3,),
        enabled_when=(on("api_xray"),),
        tests=("tests/test_api.py",),
    ),
    Component(
        "http_resolver",
        "AppSync HTTP resolver signed with IAM",
        "api",
        (5,),
        enabled_when=_SERVICE,
        paths=(
            "{package}/api/resolvers/recommendations.js",
            "{package}/api/resolvers/test/recommendations.test.mjs",
            "tests/test_api_http_resolver.py",
        ),
        tests=("tests/test_api_http_resolver.py",),
    ),
    Component("dynamodb_resolver", "AppSync DynamoDB resolver", "api", (6,), tests=("tests/test_api.py",)),
    Component(
        "search",
        "OpenSearch domain and AppSync search resolver",
        "search",
        (7, 8),
        enabled_when=(on("search"),),
        paths=(
            "{package}/search",
            "{package}/api/resolvers/searchItems.js",
            "{package}/api/resolvers/test/searchItems.test.mjs",
            "tests/runtime/test_search_setup.py",
            "tests/runtime/opensearch_fake.py",
        ),
        services=("es",),
        fixed_monthly_cost="OpenSearch domain instances x hours, plus their EBS storage",
        tests=("tests/test_search.py", "tests/runtime/test_search_*.py"),
        prerequisite="create the OpenSearch service-linked role once per account if it does not exist yet: "
        "`aws iam create-service-linked-role --aws-service-name es.amazonaws.com`",
    ),
    Component(
        "search_stream_indexer",
        "DynamoDB stream -> Lambda indexer -> OpenSearch",
        "search",
        (8,),
        enabled_when=(on("search"), on("search_indexing", "stream-lambda")),
        paths=(
            "{package}/search/stream_lambda.py",
            "{package}/search/runtime/indexer.py",
            "tests/runtime/test_search_indexer.py",
        ),
        services=("lambda", "sqs"),
        tests=("tests/test_search.py", "tests/runtime/test_search_indexer.py"),
    ),
    Component(
        "search_zero_etl",
        "DynamoDB zero-ETL to OpenSearch (OpenSearch Ingestion)",
        "search",
        (8,),
        enabled_when=(on("search"), on("search_indexing", "zero-etl")),
        paths=("{package}/search/zero_etl.py",),
        services=("osis", "s3"),
        fixed_monthly_cost="OpenSearch Ingestion pipeline units (at least the minimum) x hours",
    ),
    Component(
        "service",
        "API Gateway -> VPC link -> load balancer -> Fargate",
        "service",
        (9, 10),
        enabled_when=_SERVICE,
        paths=("{package}/service", "tests/test_service.py", "tests/runtime/service"),
        services=("apigateway", "ecs", "elasticloadbalancing"),
        fixed_monthly_cost="the internal load balancer (NLB or ALB) x hours, plus capacity units; Fargate tasks "
        "at service.min_tasks (config/<env>.yaml) x their vCPU and GB x hours",
        tests=("tests/test_service.py", "tests/runtime/service/test_*.py"),
    ),
    Component(
        "vpc_link_v1",
        "VPC link v1 (PrivateLink) to an internal NLB",
        "service",
        (9, 10),
        enabled_when=_SERVICE + (on("vpc_link", "v1-nlb"),),
        paths=("{package}/service/front_door_nlb.py",),
        tests=("tests/test_service.py",),
    ),
    Component(
        "vpc_link_v2",
        "VPC link v2 to an internal ALB",
        "service",
        (9, 10),
        enabled_when=_SERVICE + (on("vpc_link", "v2-alb"),),
        paths=("{package}/service/front_door_alb.py",),
        tests=("tests/test_service.py",),
    ),
    Component(
        "waf",
        "AWS WAF web ACL on the REST API",
        "service",
        (9,),
        enabled_when=_SERVICE + (on("api_waf"),),
        paths=("{package}/service/waf.py",),
        services=("wafv2",),
        fixed_monthly_cost="one web ACL and each of its rules per month, plus requests",
    ),
    Component(
        "dax",
        "DAX cluster",
        "data",
        (11,),
        enabled_when=_SERVICE + (on("dax"),),
        paths=("{package}/data/dax.py",),
        services=("dax",),
        fixed_monthly_cost="DAX nodes (replication factor) x hours",
        tests=("tests/test_service.py",),
    ),
    Component("table", "DynamoDB table", "data", (12,), paths=("{package}/data",), services=("dynamodb",)),
    Component(
        "private_ecr_access",
        "VPC endpoints for ECR, logs and the tasks' AWS calls",
        "network",
        (18,),
        enabled_when=_SERVICE,
        paths=("{package}/network/endpoints.py",),
        fixed_monthly_cost="each interface VPC endpoint x AZs x hours, plus data processed",
    ),
    Component(
        "delivery",
        "ECR, CodeBuild, deployment and CodePipeline",
        "delivery",
        (14, 15, 16, 17),
        enabled_when=_DELIVERY,
        paths=("{package}/delivery", "buildspec.yml", "tests/test_delivery.py"),
        services=("codebuild", "codepipeline", "api.ecr"),
    ),
    Component(
        "codecommit",
        "CodeCommit repository",
        "delivery",
        (13,),
        enabled_when=_DELIVERY + (on("source", "codecommit"),),
        paths=("{package}/delivery/source_codecommit.py",),
        services=("codecommit",),
    ),
    Component(
        "codeconnections",
        "GitHub/GitLab source through CodeConnections",
        "delivery",
        (13,),
        enabled_when=_DELIVERY + (on("source", "codeconnections"),),
        paths=("{package}/delivery/source_codeconnections.py",),
        services=("codestar-connections",),
        prerequisite="complete the handshake of the CodeConnections connection `{source_connection_arn}` "
        "(a new connection stays Pending until then: console, Developer Tools > Settings > "
        "Connections > Update pending connection) and let it read `{source_repository}`",
    ),
    Component(
        "codedeploy_blue_green",
        "CodeDeploy blue/green deployment of the Fargate service",
        "delivery",
        (15,),
        enabled_when=_DELIVERY + (on("deployment", "codedeploy-blue-green"),),
        paths=(
            "{package}/service/codedeploy.py",
            "{package}/delivery/codedeploy_action.py",
            "{package}/delivery/codedeploy_revision.py",
            "{package}/delivery/assume_lookup_role.sh",
            "tests/test_codedeploy_revision.py",
        ),
        services=("codedeploy",),
        tests=("tests/test_delivery.py", "tests/test_codedeploy_revision.py"),
    ),
    Component(
        "ecs_blue_green",
        "ECS native blue/green deployment of the Fargate service",
        "delivery",
        (15,),
        enabled_when=_DELIVERY + (on("deployment", "ecs-blue-green"),),
        paths=("{package}/service/ecs_blue_green.py",),
        tests=("tests/test_delivery.py",),
    ),
    Component(
        "analytics",
        "Analytics unit",
        "analytics",
        (),
        enabled_when=(AnyOf((When("analytics", (YES,)), When("warehouse", ("serverless", "provisioned")))),),
        paths=("{package}/analytics",),
        contains=("lake", "quicksight", "warehouse"),
    ),
    Component(
        "lake",
        "Data Firehose -> S3 lake, Glue catalog and crawler, Athena workgroup",
        "analytics",
        (19, 20, 21),
        enabled_when=_ANALYTICS,
        paths=(
            "{package}/analytics/lake",
            "tests/runtime/test_lake_log_records.py",
            "tests/runtime/test_lake_delivery.py",
        ),
        services=("firehose", "glue", "athena", "s3"),
    ),
    Component(
        "quicksight",
        "Quick Sight data source, dataset, analysis and dashboard",
        "analytics",
        (22, 24),
        enabled_when=_BI,
        paths=("{package}/analytics/bi", "scripts/check_prerequisites.py", "tests/runtime/test_check_prerequisites.py"),
        services=("quicksight",),
        fixed_monthly_cost="the Quick Sight account subscription and each author per month",
        prerequisite="subscribe the account to Amazon Quick Sight ({quicksight_edition} edition) and create "
        "the user `{quicksight_user}` in its default namespace; CloudFormation creates neither "
        "(console, or `aws quicksight create-account-subscription`); "
        "`python scripts/check_prerequisites.py --env <env>` checks both",
    ),
    Component(
        "saml_federation",
        "SAML 2.0 federation into Quick Sight",
        "analytics",
        (24,),
        enabled_when=_BI + (on("saml_federation"),),
        paths=("{package}/analytics/bi/federation.py", "config/idp-metadata.xml"),
        prerequisite="replace the placeholder `{saml_metadata_file}` with your identity provider's "
        "SAML 2.0 metadata XML",
    ),
    Component(
        "redshift_serverless",
        "Redshift Serverless fed by DynamoDB zero-ETL",
        "analytics",
        (23,),
        enabled_when=(on("warehouse", "serverless"),),
        paths=("{package}/analytics/warehouse/serverless.py",),
        services=("redshift-serverless",),
        fixed_monthly_cost="Redshift Serverless base capacity (RPUs) x hours while queries and zero-ETL "
        "replication run, plus managed storage",
    ),
    Component(
        "redshift_provisioned",
        "Redshift RA3 cluster fed by DynamoDB zero-ETL",
        "analytics",
        (23,),
        enabled_when=(on("warehouse", "provisioned"),),
        paths=("{package}/analytics/warehouse/provisioned.py",),
        services=("redshift",),
        fixed_monthly_cost="Redshift RA3 nodes x hours, plus managed storage",
    ),
    Component(
        "warehouse",
        "Redshift data warehouse",
        "analytics",
        (23,),
        enabled_when=(on("warehouse", "serverless", "provisioned"),),
        paths=("{package}/analytics/warehouse", "tests/runtime/test_warehouse_integration_database.py"),
        tests=("tests/test_warehouse.py", "tests/runtime/test_warehouse_integration_database.py"),
        contains=("redshift_serverless", "redshift_provisioned"),
    ),
    Component(
        "end_user_messaging",
        "SES and AWS End User Messaging",
        "engagement",
        (25,),
        enabled_when=(on("engagement", "end-user-messaging"),),
        services=("email", "sms-voice"),
        paths=("{package}/engagement/end_user_messaging.py",),
        prerequisite="verify the SES identity `{sender_domain}` by publishing its DKIM records in the "
        "domain's DNS zone, and request SES production access to leave the sandbox (until "
        "then SES sends only to verified addresses)",
    ),
    Component(
        "pinpoint",
        "Amazon Pinpoint (end of support 2026-10-30)",
        "engagement",
        (25,),
        enabled_when=(on("engagement", "pinpoint"),),
        services=("pinpoint",),
        paths=("{package}/engagement/pinpoint.py",),
        prerequisite="check that the account still has Amazon Pinpoint: it reached end of support on "
        "2026-10-30 and is unavailable to accounts that never used it",
    ),
    Component(
        "engagement",
        "Messaging unit",
        "engagement",
        (25,),
        enabled_when=(on("engagement", "end-user-messaging", "pinpoint"),),
        paths=("{package}/engagement",),
        contains=("end_user_messaging", "pinpoint", "engagement_events"),
    ),
    Component(
        "engagement_events",
        "Messaging events into the lake",
        "engagement",
        (19, 25),
        enabled_when=_ANALYTICS + (on("engagement", "end-user-messaging", "pinpoint"),),
    ),
)
SEED_STEPS = tuple(range(1, 26))
COMPONENTS_BY_NAME: dict[str, Component] = {c.name: c for c in COMPONENTS}

# People outside the architecture that diagrams show as the ends of flows.
ACTORS: dict[str, str] = {"clients": "Web and mobile users", "developers": "Developers"}


@dataclass(frozen=True)
class Flow:
    """An arrow of the architecture: calls or data from one part to another, for the seed's steps.

    `sources` are tried in order and the first enabled one is drawn (a component or an
    actor), so that an arrow survives when an optional part in front of it is off. The
    arrow is drawn when its target is enabled and `enabled_when` holds.
    """

    sources: tuple[str, ...]
    target: str
    steps: tuple[int, ...]
    label: str
    enabled_when: tuple[When | AnyOf, ...] = ALWAYS


_CLIENT = ("web_client", "clients")
FLOWS: tuple[Flow, ...] = (
    Flow(("clients",), "web_client", (2,), "Amplify JS"),
    Flow(_CLIENT, "identity", (1,), "sign in: JWT, then AWS credentials"),
    Flow(_CLIENT, "graphql_api", (3,), "GraphQL queries, mutations, subscriptions"),
    Flow(("identity",), "cognito_plus", (1,), "threat protection, adaptive authentication"),
    Flow(("graphql_api",), "xray", (3,), "traces"),
    Flow(("graphql_api",), "dynamodb_resolver", (6,), "resolver"),
    Flow(("dynamodb_resolver",), "table", (6,), "read, write"),
    Flow(("graphql_api",), "table", (4,), "Lambda resolver"),
    Flow(("graphql_api",), "search", (7,), "search resolver"),
    Flow(("table",), "search_stream_indexer", (8,), "stream of changes"),
    Flow(("search_stream_indexer",), "search", (8,), "bulk upserts and deletes"),
    Flow(("table",), "search_zero_etl", (8,), "zero-ETL export and stream"),
    Flow(("search_zero_etl",), "search", (8,), "ingest"),
    Flow(("graphql_api",), "http_resolver", (5,), "resolver"),
    Flow(("http_resolver",), "service", (5, 9), "IAM-signed REST call, JWT forwarded"),
    Flow(("waf",), "service", (9,), "filters requests"),
    Flow(("service",), "network", (10,), "tasks in private subnets across AZs"),
    Flow(("service",), "dax", (11,), "cached reads"),
    Flow(("dax",), "table", (11,), "read-through"),
    Flow(("service",), "table", (12,), "read, write", enabled_when=(on("dax", NO),)),
    Flow(("service",), "private_ecr_access", (18,), "images, logs, AWS APIs over PrivateLink"),
    Flow(("service",), "nat_gateways", (), "internet egress"),
    Flow(("developers",), "codecommit", (13,), "git push"),
    Flow(("developers",), "codeconnections", (13,), "git push to GitHub/GitLab"),
    Flow(("codecommit", "codeconnections"), "delivery", (16,), "source"),
    Flow(("delivery",), "service", (15, 17), "deploy the image from ECR"),
    Flow(("delivery",), "codedeploy_blue_green", (15,), "new task definition and AppSpec"),
    Flow(("codedeploy_blue_green",), "service", (15,), "blue/green traffic shift, rollback on alarms"),
    Flow(("delivery",), "ecs_blue_green", (15,), "new task definition"),
    Flow(("ecs_blue_green",), "service", (15,), "ECS blue/green traffic shift"),
    Flow(("vpc_link_v1",), "service", (9, 10), "PrivateLink to the internal NLB"),
    Flow(("vpc_link_v2",), "service", (9, 10), "VPC link v2 to the internal ALB"),
    Flow(("service",), "lake", (19,), "container logs via Data Firehose"),
    Flow(("quicksight",), "lake", (22,), "queries through Athena"),
    Flow(("engagement_events",), "lake", (25,), "messaging events via Data Firehose"),
    Flow(("saml_federation",), "quicksight", (24,), "SAML 2.0 sign-in"),
    Flow(("table",), "redshift_serverless", (23,), "zero-ETL"),
    Flow(("table",), "redshift_provisioned", (23,), "zero-ETL"),
    Flow(("end_user_messaging",), "clients", (25,), "email, SMS, push"),
    Flow(("pinpoint",), "clients", (25,), "campaigns"),
)


def enabled_components(answers: dict[str, str]) -> list[Component]:
    return [c for c in COMPONENTS if c.enabled(answers)]


def disabled_paths(answers: dict[str, str]) -> list[str]:
    """Paths the post-generation hook removes: those of every disabled component."""
    package = answers["package_name"]
    paths = {p.format(package=package) for c in COMPONENTS if not c.enabled(answers) for p in c.paths}
    return sorted(paths)


def remove_disabled_paths(project: Path, answers: dict[str, str]) -> None:
    """Delete the files of disabled components, and any folder that leaves empty (scripts/, say)."""
    for relative in disabled_paths(answers):
        path = project / relative
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
        for parent in path.parents:
            if parent == project or not parent.is_dir() or any(parent.iterdir()):
                break
            parent.rmdir()


# --------------------------------------------------------------------------- region data


_service_regions_cache: dict | None = None


def service_regions() -> dict:
    """Regions and per-service regions, generated from botocore's endpoint data (generator/regions.py)."""
    global _service_regions_cache
    if _service_regions_cache is None:
        _service_regions_cache = json.loads(SERVICE_REGIONS_FILE.read_text(encoding="utf-8"))
    return _service_regions_cache


def required_services() -> list[str]:
    return sorted({s for c in COMPONENTS for s in c.services})


# --------------------------------------------------------------------------- validation


def is_asked(option: Option, answers: dict[str, str]) -> bool:
    return all_hold(option.asked_when, answers)


def coerce(name: str, value: object) -> str:
    """Turn a value from YAML, --set or a prompt into the option's string form, or raise."""
    option = OPTIONS_BY_NAME.get(name)
    if option is None:
        close = difflib.get_close_matches(name, OPTIONS_BY_NAME, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise SpecError(f"unknown option '{name}'{hint}; run `refarch options` to list them")
    if isinstance(value, bool):
        if option.kind != "toggle":
            raise SpecError(f"option '{name}': expected {option.allowed()}, got boolean {str(value).lower()}")
        return YES if value else NO
    if isinstance(value, int | float) and not isinstance(value, bool):
        if option.kind == "integer":
            if value != int(value):
                raise SpecError(f"option '{name}': expected an integer, got {value!r}")
            value = str(int(value))
        elif option.kind == "text":
            value = str(value)
        else:
            raise SpecError(f"option '{name}': expected {option.allowed()}, got number {value!r}")
    if not isinstance(value, str):
        raise SpecError(f"option '{name}': expected {option.allowed()}, got {type(value).__name__} {value!r}")
    value = value.strip()
    if option.kind == "toggle" and value.lower() in TOGGLE_SPELLINGS:
        value = TOGGLE_SPELLINGS[value.lower()]
    if option.kind == "integer" and not re.fullmatch(r"-?\d+", value):
        raise SpecError(f"option '{name}': expected an integer ({option.allowed()}), got '{value}'")
    return value


def check_value(name: str, value: str, *, made_from: str | None = None) -> None:
    """Validate one option's value on its own; `made_from` is the answer a derived value was made from."""
    option = OPTIONS_BY_NAME[name]
    if option.choices and value not in option.choices:
        raise SpecError(f"option '{name}': '{value}' is not allowed; expected {option.allowed()}")
    if callable(option.check):
        problem = option.check(value)
        if problem and made_from is not None:
            raise SpecError(
                f"option '{name}': {option.derived_from} '{made_from}' makes {name} '{value}', which {problem}; "
                f"set {name} (example: --set {name}={option.example or DERIVED_EXAMPLES.get(name, 'my-app')})"
            )
        if problem:
            raise SpecError(f"option '{name}': '{value}' {problem}")


DERIVED_EXAMPLES = {"project_slug": "my-app", "package_name": "my_app"}


def _looks_derived(option: Option, answers: dict[str, str]) -> bool:
    """Without knowing what was typed (the hooks): a package name that is its slug with underscores."""
    return option.name == "package_name" and answers["package_name"] == answers["project_slug"].replace("-", "_")


def rule_options(rule: Rule) -> set[str]:
    """Every option a rule reads: it can be checked once all of them are known."""
    options = {rule.then.option}
    for condition in rule.when:
        conditions = condition.conditions if isinstance(condition, AnyOf) else (condition,)
        options.update(c.option for c in conditions)
    return options


def rule_problem(rule: Rule, answers: dict[str, str]) -> str | None:
    """The one-line message for a broken rule, or None when it holds."""
    if not all_hold(rule.when, answers) or _rule_holds(rule, answers):
        return None
    given = ", ".join(c.describe() for c in rule.when if isinstance(c, When))
    need = rule.then.option if rule.then.values == ("<set>",) else rule.then.describe()
    return (
        f"rule '{rule.name}': {given} needs {need}, because {rule.reason}; "
        f"currently {rule.then.option}='{answers.get(rule.then.option, '')}'"
    )


def known_rule_problems(answers: dict[str, str], involving: str | None = None) -> list[str]:
    """Broken rules among those whose options are all known (and that read `involving`, when given)."""
    return [
        problem
        for rule in RULES
        if rule_options(rule) <= answers.keys() and (involving is None or involving in rule_options(rule))
        if (problem := rule_problem(rule, answers))
    ]


def check_rules(answers: dict[str, str]) -> None:
    """Every broken rule, one line each."""
    problems = [problem for rule in RULES if (problem := rule_problem(rule, answers))]
    if problems:
        raise SpecError("\n".join(problems))


def check_regions(answers: dict[str, str]) -> None:
    """Every enabled component's services must be offered in every environment's region."""
    data = service_regions()["services"]
    for env in ENVIRONMENTS:
        region = answers[f"{env}_region"]
        for component in enabled_components(answers):
            for service in component.services:
                if region not in data.get(service, ()):
                    raise SpecError(
                        f"option '{env}_region': '{region}' does not offer {service} needed by "
                        f"{component.title} (step{'s' if len(component.steps) > 1 else ''} "
                        f"{', '.join(map(str, component.steps)) or '-'}); choose another region or turn it off"
                    )


def validate(answers: dict[str, object], *, derived: set[str] | None = None) -> dict[str, str]:
    """Check a complete answer set (public keys only) and return it normalised; raise SpecError.

    `derived` names the options whose value was made from another answer (their messages
    name both); when it is not known (the hooks), it is inferred.
    """
    public = {k: v for k, v in answers.items() if not k.startswith("_")}
    normalised = {name: coerce(name, value) for name, value in public.items()}
    missing = [o.name for o in OPTIONS if o.name not in normalised]
    if missing:
        raise SpecError(f"option '{missing[0]}': no value given")
    for option in OPTIONS:
        made = option.derived_from and (
            option.name in derived if derived is not None else _looks_derived(option, normalised)
        )
        check_value(option.name, normalised[option.name], made_from=normalised[option.derived_from] if made else None)
    check_rules(normalised)
    check_regions(normalised)
    return {o.name: normalised[o.name] for o in OPTIONS}


def normalise(answers: dict[str, object]) -> dict[str, str]:
    """The public answers in their canonical form (`Y` -> `yes`), for the hooks of a plain cookiecutter run."""
    return {name: coerce(name, value) for name, value in answers.items() if not name.startswith("_")}


def warnings(answers: dict[str, str]) -> list[str]:
    """Things that render and synthesise but that a user must know."""
    notes = []
    if answers.get("engagement") == "pinpoint":
        notes.append(
            "engagement=pinpoint: Amazon Pinpoint reached end of support on 2026-10-30; "
            "it only works in accounts that still have it (end-user-messaging is its successor)"
        )
    return notes


# --------------------------------------------------------------------------- cookiecutter


MAX_SLUG_DIR = 64  # longer than any valid slug, far below the file system's 255
INVALID_SLUG_DIR = ".refarch-invalid-project-slug"
COPY_WITHOUT_RENDER = ("web/src/*", "*.graphql.js", "*/api/resolvers/*")


def _jinja_test(condition: When | AnyOf) -> str:
    """A Jinja test of one condition; a yes/no answer is matched in every spelling it may be given in."""
    if isinstance(condition, AnyOf):
        return "(" + " or ".join(_jinja_test(c) for c in condition.conditions) + ")"
    if OPTIONS_BY_NAME[condition.option].kind == "toggle":
        spellings = [typed for typed, meant in TOGGLE_SPELLINGS.items() if meant in condition.values]
        return f"(cookiecutter.{condition.option} | string | trim | lower) in {spellings!r}"
    return f"cookiecutter.{condition.option} in {list(condition.values)!r}"


def raw_default(option: Option) -> str:
    """The option's default as cookiecutter sees it: a toggle that is not asked is off."""
    if option.kind != "toggle" or not option.asked_when:
        return option.default
    test = " and ".join(_jinja_test(c) for c in option.asked_when)
    if "{{" in option.default:
        inner = option.default.removeprefix("{{").removesuffix("}}").strip()
    else:
        inner = repr(option.default)
    return "{{ (" + inner + ") if (" + test + ") else 'no' }}"


def component_flag(component: Component) -> str:
    """'yes' or 'no' for a component, as a Jinja expression over the answers."""
    test = " and ".join(_jinja_test(c) for c in component.enabled_when) or "true"
    return "{{ 'yes' if (" + test + ") else 'no' }}"


def cookiecutter_json() -> dict:
    """cookiecutter.json, derived from OPTIONS (a test keeps the file in step with it)."""
    context: dict[str, object] = {o.name: raw_default(o) for o in OPTIONS}
    # The template folder's name: a slug that would escape the output directory is made
    # harmless here, so the pre-generation hook can refuse it before anything remains.
    # An empty or over-long slug would fail in cookiecutter itself (the output folder, or a name too long
    # for the file system) before the hook can explain: it gets a stand-in name the hook then refuses.
    context["__project_dir"] = (
        "{{ (cookiecutter.project_slug | replace('/', '_') | replace('\\\\', '_') | replace('..', '__')) "
        f"if 0 < cookiecutter.project_slug | length <= {MAX_SLUG_DIR} else '{INVALID_SLUG_DIR}' }}}}"
    )
    # One flag per component, from its enabling condition: the template's Jinja reads these, never the rules.
    for component in COMPONENTS:
        context[f"__{component.name}"] = component_flag(component)
    context["__prompts__"] = {o.name: f"{o.help} [{'/'.join(o.choices)}]" if o.choices else o.help for o in OPTIONS}
    context["_copy_without_render"] = list(COPY_WITHOUT_RENDER)
    return context


def render_cookiecutter_json() -> str:
    return json.dumps(cookiecutter_json(), indent=2) + "\n"


def describe_options() -> list[dict]:
    """Every option as plain data, for `refarch options --json` and the docs."""
    return [
        {
            "name": o.name,
            "type": o.kind,
            "choices": list(o.choices),
            "default": o.default,
            "asked_when": " and ".join(c.describe() for c in o.asked_when) or "always",
            "group": o.group,
            "help": o.help,
        }
        for o in OPTIONS
    ]
