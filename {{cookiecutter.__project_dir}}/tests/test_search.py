"""Steps 7-8: the OpenSearch domain, the search resolver's access, and indexing from the table."""

SEARCH = {{ "True" if cookiecutter.__search == "yes" else "False" }}
INDEXING = "{{ cookiecutter.search_indexing }}"
OPENSEARCH_SOURCE = {"Properties": {"Type": "AMAZON_OPENSEARCH_SERVICE"}}


def _only(template, resource_type):
    resources = template.find_resources(resource_type)
    assert len(resources) == 1, resources
    return next(iter(resources.values()))


def _statements(template, role_part):
    return [
        s
        for p in template.find_resources("AWS::IAM::Policy").values()
        if role_part in p["Properties"]["PolicyName"]
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]


def _writer_role(dev):
    """The role that writes the items index: the indexer function's, or the one the zero-ETL pipeline assumes."""
    search = dev["Search"]
    if INDEXING == "stream-lambda":
        functions = search.find_resources("AWS::Lambda::Function").values()
        (indexer,) = [f["Properties"] for f in functions if f["Properties"]["Handler"] == "indexer.handler"]
        return indexer["Role"]
    (role_id,) = [i for i in search.find_resources("AWS::IAM::Role") if "PipelineRole" in i]
    return {"Fn::GetAtt": [role_id, "Arn"]}


def test_no_search_components_when_search_is_off(dev):
    if SEARCH:
        assert "Search" in dev.ids()
        return
    assert "Search" not in dev.ids()
    assert not dev["Api"].find_resources("AWS::AppSync::DataSource", OPENSEARCH_SOURCE)


if SEARCH:

    def test_domain_is_encrypted_https_only_with_fine_grained_access_control(dev):
        domain = _only(dev["Search"], "AWS::OpenSearchService::Domain")["Properties"]
        assert domain["EncryptionAtRestOptions"]["Enabled"] is True
        assert domain["NodeToNodeEncryptionOptions"]["Enabled"] is True
        endpoint = domain["DomainEndpointOptions"]
        assert endpoint["EnforceHTTPS"] is True and endpoint["TLSSecurityPolicy"] == "Policy-Min-TLS-1-2-2019-07"
        security = domain["AdvancedSecurityOptions"]
        assert security["Enabled"] is True and security["InternalUserDatabaseEnabled"] is False
        # The master user is the role of the function that sets up the domain's roles, and no one else.
        setup = _only(dev["Search"], "Custom::OpenSearchSecurity")["Properties"]
        setup_function = dev.raw("Search")["Resources"][setup["ServiceToken"]["Fn::GetAtt"][0]]["Properties"]
        assert security["MasterUserOptions"] == {"MasterUserARN": setup_function["Role"]}
        assert "VPCOptions" not in domain  # AppSync reaches only public-endpoint domains
        for kind in ("ES_APPLICATION_LOGS", "SEARCH_SLOW_LOGS", "INDEX_SLOW_LOGS", "AUDIT_LOGS"):
            assert domain["LogPublishingOptions"][kind]["Enabled"] is True

    def test_domain_is_created_after_the_policy_that_lets_it_write_its_logs(dev):
        template = dev["Search"]
        (domain,) = template.find_resources("AWS::OpenSearchService::Domain").values()
        (policy_id, policy), *others = template.find_resources("AWS::Logs::ResourcePolicy").items()
        assert others == [] and policy_id in domain["DependsOn"]
        document = policy["Properties"]["PolicyDocument"]["Fn::Join"][1]
        groups = {part["Fn::GetAtt"][0] for part in document if isinstance(part, dict)}
        options = domain["Properties"]["LogPublishingOptions"].values()
        published = {option["CloudWatchLogsLogGroupArn"]["Fn::GetAtt"][0] for option in options}
        assert groups == published and '"Service":"es.amazonaws.com"' in document[0]

    def test_domain_is_kept_in_prod_and_spread_over_zones(dev, prod):
        domain = _only(prod["Search"], "AWS::OpenSearchService::Domain")
        assert domain["DeletionPolicy"] == "Retain"
        cluster = domain["Properties"]["ClusterConfig"]
        assert cluster["ZoneAwarenessEnabled"] is True and cluster["DedicatedMasterEnabled"] is True
        assert _only(dev["Search"], "AWS::OpenSearchService::Domain")["DeletionPolicy"] == "Delete"

    def test_appsync_searches_with_a_role_that_may_only_read_the_search_path(dev):
        (source,) = dev["Api"].find_resources("AWS::AppSync::DataSource", OPENSEARCH_SOURCE).values()
        assert source["Properties"]["ServiceRoleArn"]["Fn::ImportValue"].split(":")[0].endswith("-search")
        statements = _statements(dev["Search"], "QueryRole")
        actions = sorted(
            a for s in statements for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
        )
        assert actions == ["es:ESHttpGet", "es:ESHttpHead"]
        for statement in statements:
            assert statement["Resource"]["Fn::Join"][1][-1] == "/items/_search"

    def test_security_setup_maps_writer_and_reader_roles_inside_the_domain(dev):
        """The role AppSync searches with reads; the role that fills the index writes: never swapped."""
        setup = _only(dev["Search"], "Custom::OpenSearchSecurity")["Properties"]
        assert setup["Index"] == "items"
        (source,) = dev["Api"].find_resources("AWS::AppSync::DataSource", OPENSEARCH_SOURCE).values()
        reader = dev.imported(source["Properties"]["ServiceRoleArn"])
        assert reader["Fn::GetAtt"][1] == "Arn" and "QueryRole" in reader["Fn::GetAtt"][0]
        assert setup["ReaderRoleArns"] == [reader]
        assert setup["WriterRoleArns"] == [_writer_role(dev)]
        assert reader not in setup["WriterRoleArns"]

    if INDEXING == "stream-lambda":

        def test_stream_feeds_the_indexer_with_partial_failures_and_a_dead_letter_queue(dev):
            search = dev["Search"]
            mapping = _only(search, "AWS::Lambda::EventSourceMapping")["Properties"]
            assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
            assert mapping["BisectBatchOnFunctionError"] is True
            assert mapping["MaximumRetryAttempts"] >= 1
            assert "Fn::GetAtt" in mapping["DestinationConfig"]["OnFailure"]["Destination"]
            assert "-stateful" in str(mapping["EventSourceArn"])  # the table's stream
            indexers = {
                logical_id: f["Properties"]
                for logical_id, f in search.find_resources("AWS::Lambda::Function").items()
                if f["Properties"]["Handler"] == "indexer.handler"
            }
            assert len(indexers) == 1
            ((logical_id, indexer),) = indexers.items()
            assert mapping["FunctionName"] == {"Ref": logical_id}
            assert indexer["Runtime"] == "python3.14"
            search.resource_count_is("AWS::OSIS::Pipeline", 0)
    else:

        def test_zero_etl_pipeline_reads_the_table_and_writes_the_domain(dev):
            search = dev["Search"]
            pipeline = _only(search, "AWS::OSIS::Pipeline")["Properties"]
            body = str(pipeline["PipelineConfigurationBody"])
            assert "dynamodb:" in body and "opensearch:" in body and "export:" in body and "stream:" in body
            assert pipeline["LogPublishingOptions"]["IsLoggingEnabled"] is True
            search.resource_count_is("AWS::Lambda::EventSourceMapping", 0)

    def test_no_search_role_may_do_every_action(dev):
        for policy in dev["Search"].find_resources("AWS::IAM::Policy").values():
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
                actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
                assert all(a != "*" and not a.endswith(":*") and a != "es:*" for a in actions), policy
