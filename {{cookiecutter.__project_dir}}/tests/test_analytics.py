"""Steps 19-22 and 24: the log lake, its catalog and workgroup, Quick Sight, SAML federation."""

import json
import re
from datetime import datetime

from aws_cdk.assertions import Match

ANALYTICS = {{ "True" if cookiecutter.__lake == "yes" else "False" }}
BI = {{ "True" if cookiecutter.__quicksight == "yes" else "False" }}
ENTERPRISE = {{ "True" if cookiecutter.quicksight_edition == "enterprise" else "False" }}
SAML = {{ "True" if cookiecutter.__saml_federation == "yes" else "False" }}
LAKE_TYPES = (
    "AWS::KinesisFirehose::DeliveryStream",
    "AWS::Glue::Database",
    "AWS::Glue::Table",
    "AWS::Glue::Crawler",
    "AWS::Athena::WorkGroup",
)


def _one(template, resource_type: str) -> dict:
    resources = template.find_resources(resource_type)
    assert len(resources) == 1, resource_type
    return next(iter(resources.values()))


def _types(templates) -> set[str]:
    return {r["Type"] for stack in templates.ids() for r in templates.raw(stack)["Resources"].values()}


def test_lake_exists_only_when_analytics_is_on(dev, prod):
    for templates in (dev, prod):
        assert ("Lake" in templates) is ANALYTICS
        present = _types(templates)
        for resource_type in LAKE_TYPES:
            assert (resource_type in present) is ANALYTICS, resource_type
        assert ("AWS::QuickSight::DataSource" in present) is BI
        assert ("AWS::QuickSight::DataSet" in present) is BI
        assert ("AWS::IAM::SAMLProvider" in present) is SAML
        assert ("AWS::QuickSight::Analysis" in present) is BI
        assert ("AWS::QuickSight::Dashboard" in present) is BI
        assert "AWS::QuickSight::VPCConnection" not in present  # no data source would use it


if ANALYTICS:

    def _log_stream(templates) -> dict:
        streams = templates["Lake"].find_resources(
            "AWS::KinesisFirehose::DeliveryStream",
            {"Properties": {"DeliveryStreamName": Match.string_like_regexp("-logs$")}},
        )
        assert len(streams) == 1
        return next(iter(streams.values()))["Properties"]

    def test_firehose_writes_compressed_encrypted_date_partitioned_objects_to_the_lake(dev):
        stream = _log_stream(dev)
        assert stream["DeliveryStreamType"] == "DirectPut"
        assert stream["DeliveryStreamEncryptionConfigurationInput"]["KeyType"] == "CUSTOMER_MANAGED_CMK"
        s3 = stream["ExtendedS3DestinationConfiguration"]
        assert s3["CompressionFormat"] == "GZIP"
        assert s3["Prefix"] == "logs/dt=!{timestamp:yyyy-MM-dd}/"
        assert s3["ErrorOutputPrefix"].startswith("errors/!{firehose:error-output-type}/")
        assert "AWSKMSKeyARN" in s3["EncryptionConfiguration"]["KMSEncryptionConfig"]
        assert s3["CloudWatchLoggingOptions"]["Enabled"] is True

    def test_buffering_differs_per_environment(dev, prod):
        dev_hints = _log_stream(dev)["ExtendedS3DestinationConfiguration"]["BufferingHints"]
        prod_hints = _log_stream(prod)["ExtendedS3DestinationConfiguration"]["BufferingHints"]
        assert dev_hints["IntervalInSeconds"] < prod_hints["IntervalInSeconds"]
        assert dev_hints["SizeInMBs"] < prod_hints["SizeInMBs"]

    def test_lake_bucket_is_versioned_logged_kms_encrypted_tls_only_and_tiered(dev):
        lake = dev["Lake"]
        buckets = lake.find_resources(
            "AWS::S3::Bucket", {"Properties": {"LoggingConfiguration": {"LogFilePrefix": "lake/"}}}
        )
        assert len(buckets) == 1
        logical_id, bucket = next(iter(buckets.items()))
        properties = bucket["Properties"]
        assert properties["VersioningConfiguration"] == {"Status": "Enabled"}
        encryption = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
        assert encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
        transitions = properties["LifecycleConfiguration"]["Rules"][0]["Transitions"]
        assert [t["StorageClass"] for t in transitions] == ["STANDARD_IA", "GLACIER_IR"]
        policies = lake.find_resources("AWS::S3::BucketPolicy", {"Properties": {"Bucket": {"Ref": logical_id}}})
        statements = next(iter(policies.values()))["Properties"]["PolicyDocument"]["Statement"]
        assert any(
            s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in statements
        )

    def test_prod_keeps_the_lake_and_dev_may_destroy_it(dev, prod):
        for bucket in prod["Lake"].find_resources("AWS::S3::Bucket").values():
            assert bucket["DeletionPolicy"] == "Retain"
        for bucket in dev["Lake"].find_resources("AWS::S3::Bucket").values():
            assert bucket["DeletionPolicy"] == "Delete"

    def test_glue_table_is_declared_with_partition_projection_over_the_log_prefix(dev):
        table = _one(dev["Lake"], "AWS::Glue::Table")["Properties"]["TableInput"]
        assert [k["Name"] for k in table["PartitionKeys"]] == ["dt"]
        assert table["Parameters"]["projection.enabled"] == "true"
        assert table["Parameters"]["projection.dt.type"] == "date"
        assert table["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"] == "org.openx.data.jsonserde.JsonSerDe"
        location = json.dumps(table["StorageDescriptor"]["Location"])
        assert "/logs/" in location

    # Firehose and Athena's projection read Java date patterns; Athena's date_format writes MySQL ones.
    JAVA_TO_MYSQL = {"yyyy": "%Y", "MM": "%m", "dd": "%d", "HH": "%H"}
    DAILY = {"yyyy", "MM", "dd"}

    def test_firehose_prefix_glue_partitions_and_athena_queries_agree_on_the_layout(dev):
        """Read from the synthesised Lake stack alone: where Firehose writes, the partitions Athena
        projects from the object keys and the partition values the named queries compare with."""
        lake = dev.raw("Lake")["Resources"]
        s3 = _log_stream(dev)["ExtendedS3DestinationConfiguration"]
        written = re.fullmatch(r"(?P<folder>[a-z/]+/)(?P<key>\w+)=!\{timestamp:(?P<pattern>[^}]+)\}/", s3["Prefix"])
        assert written, s3["Prefix"]
        folder, key, pattern = written["folder"], written["key"], written["pattern"]
        fields = re.findall(r"[A-Za-z]+", pattern)
        assert set(fields) == DAILY, pattern  # one partition per day: the projection's interval below

        (table,) = [r["Properties"] for r in lake.values() if r["Type"] == "AWS::Glue::Table"]
        table_input = table["TableInput"]
        bucket_id = s3["BucketARN"]["Fn::GetAtt"][0]
        location = {"Fn::Join": ["", ["s3://", {"Ref": bucket_id}, f"/{folder}"]]}
        assert table_input["StorageDescriptor"]["Location"] == location
        assert table_input["PartitionKeys"] == [{"Name": key, "Type": "string"}]
        projection = {k: v for k, v in table_input["Parameters"].items() if k.startswith("projection.")}
        start = projection.pop(f"projection.{key}.range").split(",")
        assert projection == {
            "projection.enabled": "true",
            f"projection.{key}.type": "date",
            f"projection.{key}.format": pattern,
            f"projection.{key}.interval": "1",
            f"projection.{key}.interval.unit": "DAYS",
        }
        mysql = pattern
        for java, code in JAVA_TO_MYSQL.items():
            mysql = mysql.replace(java, code)
        datetime.strptime(start[0], mysql)  # the first projected day is written in the same pattern
        assert start[1] == "NOW"
        assert "storage.location.template" not in table_input["Parameters"]  # Hive layout: <folder><key>=<value>/

        ((database_id, database),) = [
            (i, r["Properties"]["DatabaseInput"]["Name"]) for i, r in lake.items() if r["Type"] == "AWS::Glue::Database"
        ]
        assert table["DatabaseName"] == {"Ref": database_id}
        queries = [r["Properties"] for r in lake.values() if r["Type"] == "AWS::Athena::NamedQuery"]
        assert queries
        for query in queries:
            assert query["Database"] == database
            sql = query["QueryString"]
            assert re.search(rf"\bFROM {table_input['Name']}\b", sql), sql
            bounds = re.findall(rf"\bWHERE {key} >= date_format\(current_date - INTERVAL '\d+' DAY, '([^']+)'\)", sql)
            assert bounds == [mysql], sql

    def test_crawler_targets_the_table_on_a_schedule_with_encrypted_logs(dev):
        lake = dev["Lake"]
        crawler = _one(lake, "AWS::Glue::Crawler")["Properties"]
        target = crawler["Targets"]["CatalogTargets"][0]
        table = _one(lake, "AWS::Glue::Table")["Properties"]
        assert target["Tables"] == [table["TableInput"]["Name"]]
        assert crawler["Schedule"]["ScheduleExpression"].startswith("cron(")
        assert crawler["SchemaChangePolicy"] == {"UpdateBehavior": "LOG", "DeleteBehavior": "LOG"}
        configurations = lake.find_resources("AWS::Glue::SecurityConfiguration")
        assert crawler["CrawlerSecurityConfiguration"] == {"Ref": next(iter(configurations))}
        encryption = next(iter(configurations.values()))["Properties"]["EncryptionConfiguration"]
        assert encryption["CloudWatchEncryption"]["CloudWatchEncryptionMode"] == "SSE-KMS"

    def test_crawler_role_has_no_managed_policies_and_no_action_wildcards(dev):
        lake = dev.raw("Lake")["Resources"]
        crawler = next(r for r in lake.values() if r["Type"] == "AWS::Glue::Crawler")
        role_id = crawler["Properties"]["Role"]["Fn::GetAtt"][0]
        assert "ManagedPolicyArns" not in lake[role_id]["Properties"]
        policies = [
            r
            for r in lake.values()
            if r["Type"] == "AWS::IAM::Policy" and {"Ref": role_id} in r["Properties"].get("Roles", [])
        ]
        actions = [
            a
            for p in policies
            for s in p["Properties"]["PolicyDocument"]["Statement"]
            for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
        ]
        assert actions and not any("*" in a for a in actions)

    def test_athena_workgroup_enforces_encrypted_results_and_a_scan_limit(dev, prod):
        for templates in (dev, prod):
            workgroup = _one(templates["Lake"], "AWS::Athena::WorkGroup")["Properties"]
            configuration = workgroup["WorkGroupConfiguration"]
            assert configuration["EnforceWorkGroupConfiguration"] is True
            assert configuration["BytesScannedCutoffPerQuery"] >= 10 * 1024 * 1024
            assert configuration["ResultConfiguration"]["EncryptionConfiguration"]["EncryptionOption"] == "SSE_KMS"
        dev_cutoff = _one(dev["Lake"], "AWS::Athena::WorkGroup")["Properties"]["WorkGroupConfiguration"]
        prod_cutoff = _one(prod["Lake"], "AWS::Athena::WorkGroup")["Properties"]["WorkGroupConfiguration"]
        assert dev_cutoff["BytesScannedCutoffPerQuery"] < prod_cutoff["BytesScannedCutoffPerQuery"]

    def test_named_queries_run_in_the_workgroup_and_prune_by_date(dev):
        lake = dev["Lake"]
        workgroup = _one(lake, "AWS::Athena::WorkGroup")["Properties"]["Name"]
        table = _one(lake, "AWS::Glue::Table")["Properties"]["TableInput"]["Name"]
        queries = lake.find_resources("AWS::Athena::NamedQuery")
        assert len(queries) >= 3
        for query in queries.values():
            properties = query["Properties"]
            assert properties["WorkGroup"] == workgroup
            assert f"FROM {table}" in properties["QueryString"]
            assert "WHERE dt >= " in properties["QueryString"]

    def test_producers_can_be_granted_put_record_batch_on_the_log_stream_only():
        import aws_cdk as cdk
        from aws_cdk import aws_iam as iam
        from aws_cdk.assertions import Template

        from {{ cookiecutter.package_name }}.analytics.lake.infrastructure import Lake, LakeStorage
        from {{ cookiecutter.package_name }}.config import cdk_context, load_environment

        config = load_environment("dev")
        stack = cdk.Stack(cdk.App(context=cdk_context()), "Probe", env=config.env)
        lake = Lake(stack, "Lake", config=config, storage=LakeStorage(stack, "Storage", config=config))
        role = iam.Role(stack, "TaskRole", assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com"))
        lake.grant_log_delivery(role)
        role_id = stack.get_logical_id(role.node.default_child)
        policies = Template.from_stack(stack).find_resources(
            "AWS::IAM::Policy", {"Properties": {"Roles": [{"Ref": role_id}]}}
        )
        statements = next(iter(policies.values()))["Properties"]["PolicyDocument"]["Statement"]
        stream_id = stack.get_logical_id(lake.delivery_stream.node.default_child)
        assert statements == [
            {"Action": "firehose:PutRecordBatch", "Effect": "Allow", "Resource": {"Fn::GetAtt": [stream_id, "Arn"]}}
        ]
        assert lake.firelens_options() == {
            "Name": "kinesis_firehose",
            "region": config.region,
            "delivery_stream": stack.resolve(lake.delivery_stream.node.default_child.delivery_stream_name),
            "log_key": "log",
        }

    def test_an_api_log_group_can_be_copied_into_the_lake_as_plain_messages():
        import aws_cdk as cdk
        from aws_cdk import aws_logs as logs
        from aws_cdk.assertions import Template

        from {{ cookiecutter.package_name }}.analytics.lake.infrastructure import Lake, LakeStorage
        from {{ cookiecutter.package_name }}.config import cdk_context, load_environment

        config = load_environment("dev")
        app = cdk.App(context=cdk_context())
        lake_stack = cdk.Stack(app, "LakeProbe", env=config.env)
        api_stack = cdk.Stack(app, "ApiProbe", env=config.env)
        lake = Lake(lake_stack, "Lake", config=config, storage=LakeStorage(lake_stack, "Storage", config=config))
        lake.add_log_group_source("ApiAccessLogs", log_group=logs.LogGroup(api_stack, "AccessLogs"), name="api")
        streams = Template.from_stack(lake_stack).find_resources(
            "AWS::KinesisFirehose::DeliveryStream",
            {"Properties": {"DeliveryStreamName": Match.string_like_regexp("-api$")}},
        )
        s3 = next(iter(streams.values()))["Properties"]["ExtendedS3DestinationConfiguration"]
        assert s3["Prefix"] == "api-logs/api/dt=!{timestamp:yyyy-MM-dd}/"
        processors = [p["Type"] for p in s3["ProcessingConfiguration"]["Processors"]]
        assert processors == ["Decompression", "CloudWatchLogProcessing"]
        Template.from_stack(api_stack).resource_count_is("AWS::Logs::SubscriptionFilter", 1)


if BI:

    def test_quicksight_reads_the_lake_through_the_athena_workgroup_with_its_own_role(dev):
        source = _one(dev["Analytics"], "AWS::QuickSight::DataSource")["Properties"]
        assert source["Type"] == "ATHENA"
        athena = source["DataSourceParameters"]["AthenaParameters"]
        workgroup = _one(dev["Lake"], "AWS::Athena::WorkGroup")["Properties"]["Name"]
        assert athena["WorkGroup"] == workgroup
        assert "RoleArn" in athena

    def test_data_source_and_dataset_are_granted_to_the_configured_principal(dev):
        import yaml

        from {{ cookiecutter.package_name }}.config import CONFIG_DIR

        user = yaml.safe_load((CONFIG_DIR / "dev.yaml").read_text())["bi"]["quicksight_user"]
        analytics = dev["Analytics"]
        for resource_type, action in (
            ("AWS::QuickSight::DataSource", "quicksight:PassDataSource"),
            ("AWS::QuickSight::DataSet", "quicksight:PassDataSet"),
        ):
            permissions = _one(analytics, resource_type)["Properties"]["Permissions"]
            assert len(permissions) == 1
            assert json.dumps(permissions[0]["Principal"]).endswith(f':user/default/{user}"]]}}')
            assert action in permissions[0]["Actions"]

    def test_dataset_queries_the_log_table_directly(dev):
        data_set = _one(dev["Analytics"], "AWS::QuickSight::DataSet")["Properties"]
        assert data_set["ImportMode"] == "DIRECT_QUERY"
        sql = next(iter(data_set["PhysicalTableMap"].values()))["CustomSql"]
        table = _one(dev["Lake"], "AWS::Glue::Table")["Properties"]["TableInput"]["Name"]
        assert f'."{table}"' in sql["SqlQuery"]
        assert {"Name": "event_time", "Type": "DATETIME"} in sql["Columns"]
        assert {"Name": "status", "Type": "INTEGER"} in sql["Columns"]

    def test_quicksight_resources_wait_for_the_subscription_and_user_guard(dev):
        analytics = dev.raw("Analytics")["Resources"]
        guards = {
            logical_id: resource
            for logical_id, resource in analytics.items()
            if resource["Type"] in ("Custom::QuickSightSubscriptionCheck", "Custom::QuickSightUserCheck")
        }
        assert sorted(r["Type"] for r in guards.values()) == [
            "Custom::QuickSightSubscriptionCheck",
            "Custom::QuickSightUserCheck",
        ]
        calls = json.dumps([r["Properties"]["Create"] for r in guards.values()])
        assert "describeAccountSubscription" in calls and "describeUser" in calls
        for resource in analytics.values():
            if resource["Type"].startswith("AWS::QuickSight::"):
                assert set(guards) <= set(resource.get("DependsOn", [])), resource["Type"]

    def test_edition_decides_column_level_security(dev):
        data_set = _one(dev["Analytics"], "AWS::QuickSight::DataSet")["Properties"]
        assert ("ColumnLevelPermissionRules" in data_set) is ENTERPRISE

    def _columns_used(node) -> list[tuple[str, str]]:
        """Every (dataset identifier, column name) a definition refers to, wherever it sits."""
        if isinstance(node, list):
            return [used for item in node for used in _columns_used(item)]
        if not isinstance(node, dict):
            return []
        here = [(node["DataSetIdentifier"], node["ColumnName"])] if "ColumnName" in node else []
        return here + [used for value in node.values() for used in _columns_used(value)]

    def _definitions(dev) -> dict[str, dict]:
        analytics = dev["Analytics"]
        return {kind: _one(analytics, f"AWS::QuickSight::{kind}")["Properties"] for kind in ("Analysis", "Dashboard")}

    def test_analysis_and_dashboard_visualise_columns_the_dataset_has(dev):
        resources = dev.raw("Analytics")["Resources"]
        (data_set_id,) = [k for k, r in resources.items() if r["Type"] == "AWS::QuickSight::DataSet"]
        physical = next(iter(resources[data_set_id]["Properties"]["PhysicalTableMap"].values()))
        columns = {c["Name"]: c["Type"] for c in physical["CustomSql"]["Columns"]}
        for kind, properties in _definitions(dev).items():
            definition = properties["Definition"]
            (declaration,) = definition["DataSetIdentifierDeclarations"]
            assert declaration["DataSetArn"] == {"Fn::GetAtt": [data_set_id, "Arn"]}, kind
            used = _columns_used(definition["Sheets"])
            assert {identifier for identifier, _ in used} == {declaration["Identifier"]}, kind
            assert {name for _, name in used} <= set(columns), kind
            assert "user_id" not in {name for _, name in used}  # hidden by column-level security in Enterprise
            visuals = definition["Sheets"][0]["Visuals"]
            assert len(visuals) >= 3, kind
        dates = [f["DateDimensionField"] for f in _walk(_definitions(dev)["Dashboard"], "DateDimensionField")]
        assert all(columns[d["Column"]["ColumnName"]] == "DATETIME" for d in dates) and dates
        numbers = [
            f["NumericalMeasureField"]["Column"]["ColumnName"]
            for f in _walk(_definitions(dev)["Dashboard"], "NumericalMeasureField")
        ]
        assert all(columns[name] in ("INTEGER", "DECIMAL") for name in numbers) and numbers

    def _walk(node, key: str) -> list[dict]:
        if isinstance(node, list):
            return [found for item in node for found in _walk(item, key)]
        if not isinstance(node, dict):
            return []
        return ([node] if key in node else []) + [found for value in node.values() for found in _walk(value, key)]

    def test_dashboard_is_published_from_the_analysis_definition_and_shared_with_the_owner(dev):
        import yaml

        from {{ cookiecutter.package_name }}.config import CONFIG_DIR

        user = yaml.safe_load((CONFIG_DIR / "dev.yaml").read_text())["bi"]["quicksight_user"]
        definitions = _definitions(dev)
        assert definitions["Analysis"]["Definition"] == definitions["Dashboard"]["Definition"]
        for kind, action in (("Analysis", "quicksight:UpdateAnalysis"), ("Dashboard", "quicksight:QueryDashboard")):
            (permission,) = definitions[kind]["Permissions"]
            assert json.dumps(permission["Principal"]).endswith(f':user/default/{user}"]]}}')
            assert action in permission["Actions"]
        assert "quicksight:UpdateDashboardPublishedVersion" in definitions["Dashboard"]["Permissions"][0]["Actions"]
        options = definitions["Dashboard"]["DashboardPublishOptions"]
        assert options["AdHocFilteringOption"]["AvailabilityStatus"] == "ENABLED"


if SAML:

    def test_saml_provider_is_created_from_the_metadata_file_in_config(dev):
        from {{ cookiecutter.package_name }}.config import PROJECT_ROOT

        provider = _one(dev["Analytics"], "AWS::IAM::SAMLProvider")["Properties"]
        metadata = (PROJECT_ROOT / "{{ cookiecutter.saml_metadata_file }}").read_text(encoding="utf-8")
        assert provider["SamlMetadataDocument"] == metadata

    def test_federated_role_trusts_only_saml_sign_in_and_grants_quicksight_reader(dev):
        analytics = dev.raw("Analytics")["Resources"]
        provider_id = next(k for k, r in analytics.items() if r["Type"] == "AWS::IAM::SAMLProvider")
        roles = [
            r
            for r in analytics.values()
            if r["Type"] == "AWS::IAM::Role"
            and "sts:AssumeRoleWithSAML" in json.dumps(r["Properties"]["AssumeRolePolicyDocument"])
        ]
        assert len(roles) == 1
        trust = roles[0]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        assert trust == [
            {
                "Action": "sts:AssumeRoleWithSAML",
                "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
                "Effect": "Allow",
                "Principal": {"Federated": {"Ref": provider_id}},
            }
        ]
        policies = [
            r
            for r in analytics.values()
            if r["Type"] == "AWS::IAM::Policy" and "quicksight:CreateReader" in json.dumps(r)
        ]
        assert len(policies) == 1
