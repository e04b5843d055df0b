"""Step 23: Redshift fed from the DynamoDB table by zero-ETL."""

import json

WAREHOUSE = "{{ cookiecutter.warehouse }}"


def test_warehouse_exists_only_when_chosen(dev, prod):
    for templates in (dev, prod):
        assert ("Warehouse" in templates) is (WAREHOUSE != "none")


if WAREHOUSE != "none":

    def _resources(templates, resource_type: str) -> list[dict]:
        return [r for r in templates.raw("Warehouse")["Resources"].values() if r["Type"] == resource_type]

    def test_zero_etl_integration_copies_the_table_into_the_warehouse(dev):
        (integration,) = _resources(dev, "AWS::Redshift::Integration")
        properties = integration["Properties"]
        assert "DataTable" in json.dumps(properties["SourceArn"])  # the table, from the stateful stack
        expected = "NamespaceArn" if WAREHOUSE == "serverless" else "ClusterNamespaceArn"
        assert expected in json.dumps(properties["TargetArn"])
        assert "KMSKeyId" in properties

    def test_table_resource_policy_lets_redshift_integrations_export_it(dev):
        table = next(iter(dev["Stateful"].find_resources("AWS::DynamoDB::GlobalTable").values()))
        replica = table["Properties"]["Replicas"][0]
        assert replica["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
        statements = replica["ResourcePolicy"]["PolicyDocument"]["Statement"]
        export = [s for s in statements if s.get("Principal") == {"Service": "redshift.amazonaws.com"}]
        assert len(export) == 1
        assert "dynamodb:ExportTableToPointInTime" in export[0]["Action"]
        assert ":integration:*" in json.dumps(export[0]["Condition"]["ArnLike"]["aws:SourceArn"])

    def test_warehouse_is_private_encrypted_with_managed_admin_secret_and_audit_logs(dev, prod):
        if WAREHOUSE == "serverless":
            (namespace,) = _resources(dev, "AWS::RedshiftServerless::Namespace")
            (workgroup,) = _resources(dev, "AWS::RedshiftServerless::Workgroup")
            ns, wg = namespace["Properties"], workgroup["Properties"]
            assert ns["ManageAdminPassword"] is True and "KmsKeyId" in ns
            assert set(ns["LogExports"]) == {"connectionlog", "userlog", "useractivitylog"}
            assert "redshift:AuthorizeInboundIntegration" in json.dumps(ns["NamespaceResourcePolicy"])
            assert wg["PubliclyAccessible"] is False and wg["EnhancedVpcRouting"] is True
            assert len(wg["SubnetIds"]) == 3  # Redshift Serverless needs subnets in 3 AZs
            parameters = {p["ParameterKey"]: p["ParameterValue"] for p in wg["ConfigParameters"]}
            assert parameters["enable_case_sensitive_identifier"] == "true"
        else:
            (cluster,) = _resources(dev, "AWS::Redshift::Cluster")
            properties = cluster["Properties"]
            assert properties["NodeType"].startswith("ra3.")
            assert properties["Encrypted"] is True and properties["ManageMasterPassword"] is True
            assert properties["PubliclyAccessible"] is False and properties["EnhancedVpcRouting"] is True
            assert properties["LoggingProperties"]["LogDestinationType"] == "cloudwatch"
            assert "redshift:AuthorizeInboundIntegration" in json.dumps(properties["NamespaceResourcePolicy"])
            (parameters,) = _resources(dev, "AWS::Redshift::ClusterParameterGroup")
            values = {p["ParameterName"]: p["ParameterValue"] for p in parameters["Properties"]["Parameters"]}
            assert values["enable_case_sensitive_identifier"] == "true" and values["require_ssl"] == "true"
        for templates, policy in ((dev, "Delete"), (prod, "Retain")):
            kind = "AWS::RedshiftServerless::Namespace" if WAREHOUSE == "serverless" else "AWS::Redshift::Cluster"
            (resource,) = _resources(templates, kind)
            assert resource["DeletionPolicy"] == policy

    def _integration_database(templates) -> tuple[str, dict]:
        resources = templates.raw("Warehouse")["Resources"]
        (logical_id,) = [k for k, r in resources.items() if r["Type"] == "Custom::RedshiftIntegrationDatabase"]
        return logical_id, resources[logical_id]

    def test_the_integration_gets_its_database_once_it_exists(dev):
        resources = dev.raw("Warehouse")["Resources"]
        _, database = _integration_database(dev)
        properties = database["Properties"]
        (integration_id,) = [k for k, r in resources.items() if r["Type"] == "AWS::Redshift::Integration"]
        # A GetAtt: CloudFormation creates the integration before its database.
        assert properties["IntegrationArn"] == {"Fn::GetAtt": [integration_id, "IntegrationArn"]}
        assert properties["Database"] == "analytics" and properties["DatabaseName"] == "app_data"
        if WAREHOUSE == "serverless":
            (workgroup,) = _resources(dev, "AWS::RedshiftServerless::Workgroup")
            assert properties["WorkgroupName"] == workgroup["Properties"]["WorkgroupName"]
            assert properties["NamespaceName"] == workgroup["Properties"]["NamespaceName"]
        else:
            (cluster_id,) = [k for k, r in resources.items() if r["Type"] == "AWS::Redshift::Cluster"]
            assert properties["ClusterIdentifier"] == resources[cluster_id]["Properties"]["ClusterIdentifier"]
            assert properties["SecretArn"] == {"Fn::GetAtt": [cluster_id, "MasterPasswordSecretArn"]}
        (function_id,) = [
            k
            for k, r in resources.items()
            if r["Type"] == "AWS::Lambda::Function" and r["Properties"]["Handler"] == "integration_database.handler"
        ]
        assert properties["ServiceToken"] == {"Fn::GetAtt": [function_id, "Arn"]}
        assert resources[function_id]["Properties"]["Timeout"] == 600

    def test_the_database_function_may_run_statements_on_this_warehouse_only(dev):
        resources = dev.raw("Warehouse")["Resources"]
        _, database = _integration_database(dev)
        policies = [
            r
            for k, r in resources.items()
            if r["Type"] == "AWS::IAM::Policy" and k.startswith("WarehouseIntegrationDatabaseRole")
        ]
        statements = {
            json.dumps(s["Action"]): s for p in policies for s in p["Properties"]["PolicyDocument"]["Statement"]
        }
        execute = statements['"redshift-data:ExecuteStatement"']
        if WAREHOUSE == "serverless":
            (workgroup_id,) = [k for k, r in resources.items() if r["Type"] == "AWS::RedshiftServerless::Workgroup"]
            assert execute["Resource"] == {"Fn::GetAtt": [workgroup_id, "Workgroup.WorkgroupArn"]}
        else:
            assert ":cluster:" in json.dumps(execute["Resource"])
        follow = next(s for s in statements.values() if "redshift-data:DescribeStatement" in s["Action"])
        assert follow["Condition"] == {"StringEquals": {"redshift-data:statement-owner-iam-userid": "${aws:userid}"}}
        secret = statements['"secretsmanager:GetSecretValue"']["Resource"]
        assert (
            "redshift!" in json.dumps(secret)
            if WAREHOUSE == "serverless"
            else "MasterPasswordSecretArn" in json.dumps(secret)
        )
