"""Step 25: messaging, by the engagement choice."""

import json

ENGAGEMENT = "{{ cookiecutter.engagement }}"
PHONE_NUMBER_ARN = "arn:aws:sms-voice:us-east-1:111111111111:phone-number/phone-0123456789abcdef0123456789abcdef"
LAKE = {{ "True" if cookiecutter.__lake == "yes" else "False" }}


def _types(templates) -> set[str]:
    return {r["Type"] for stack in templates.ids() for r in templates.raw(stack)["Resources"].values()}


def test_messaging_resources_follow_the_choice(dev):
    present = _types(dev)
    assert ("Engagement" in dev) is (ENGAGEMENT != "none")
    successors = {"AWS::SES::ConfigurationSet", "AWS::SES::EmailIdentity", "AWS::SMSVOICE::ConfigurationSet"}
    assert successors <= present if ENGAGEMENT == "end-user-messaging" else not successors & present
    assert ("AWS::Pinpoint::App" in present) is (ENGAGEMENT == "pinpoint")


if ENGAGEMENT != "none" and LAKE:

    def test_the_events_role_may_put_records_into_the_lake_messaging_stream_only(dev):
        resources = dev.raw("Engagement")["Resources"]
        writer = "sms-voice.amazonaws.com" if ENGAGEMENT == "end-user-messaging" else "pinpoint.amazonaws.com"
        (role_id,) = [
            logical_id
            for logical_id, r in resources.items()
            if r["Type"] == "AWS::IAM::Role" and writer in json.dumps(r["Properties"]["AssumeRolePolicyDocument"])
        ]
        statements = [
            s
            for r in resources.values()
            if r["Type"] == "AWS::IAM::Policy" and {"Ref": role_id} in r["Properties"]["Roles"]
            for s in r["Properties"]["PolicyDocument"]["Statement"]
        ]
        assert [(s["Effect"], s["Action"]) for s in statements] == [
            ("Allow", ["firehose:PutRecord", "firehose:PutRecordBatch"])
        ]
        assert "LakeMessagingEvents" in json.dumps(statements[0]["Resource"])  # the stream in the Lake stack


if ENGAGEMENT == "end-user-messaging":

    def test_email_identity_uses_the_configuration_set_whose_events_are_recorded(dev):
        engagement = dev["Engagement"]
        identity = next(iter(engagement.find_resources("AWS::SES::EmailIdentity").values()))["Properties"]
        assert identity["EmailIdentity"] == "{{ cookiecutter.sender_domain }}"
        assert "ConfigurationSetAttributes" in identity
        destination = next(iter(engagement.find_resources("AWS::SES::ConfigurationSetEventDestination").values()))
        target = destination["Properties"]["EventDestination"]
        assert ("KinesisFirehoseDestination" in target) is LAKE
        assert {"bounce", "complaint", "delivery"} <= set(target["MatchingEventTypes"])
        outputs = dev.raw("Engagement")["Outputs"]
        assert sum(1 for key in outputs if key.startswith("EngagementDkimRecord")) == 3  # to publish in DNS

    def test_sms_events_go_to_the_lake_or_to_logs(dev):
        sms = next(iter(dev["Engagement"].find_resources("AWS::SMSVOICE::ConfigurationSet").values()))["Properties"]
        (destination,) = sms["EventDestinations"]
        assert ("KinesisFirehoseDestination" in destination) is LAKE
        assert ("CloudWatchLogsDestination" in destination) is (not LAKE)

    def test_a_phone_pool_is_created_only_from_configured_origination_identities():
        import aws_cdk as cdk
        from aws_cdk.assertions import Template

        from {{ cookiecutter.package_name }}.config import cdk_context, load_environment
        from {{ cookiecutter.package_name }}.engagement.infrastructure import Engagement

        config = load_environment("dev")
        sections = {
            **config.sections,
            "engagement": {**config.section("engagement"), "sms_origination_identities": [PHONE_NUMBER_ARN]},
        }
        configured = type(config)(**{**config.__dict__, "sections": sections})
        for settings, pools in ((config, 0), (configured, 1)):
            stack = cdk.Stack(cdk.App(context=cdk_context()), "Probe", env=settings.env)
            Engagement(stack, "Engagement", config=settings, events_stream=None)
            Template.from_stack(stack).resource_count_is("AWS::SMSVOICE::Pool", pools)

    def test_readme_says_what_pinpoint_did_that_these_successors_do_not():
        from {{ cookiecutter.package_name }}.config import PROJECT_ROOT

        readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
        sections = dict((part.split("\n", 1) + [""])[:2] for part in readme.split("\n## ")[1:])
        messaging = " ".join(sections["Messaging (step 25)"].split())
        for gap in ("segmentation", "campaigns", "journeys"):
            assert gap in messaging, gap
        for successor in ("Customer Profiles", "Connect outbound campaigns", "SendEmail", "SendTextMessage"):
            assert successor in messaging, successor


if ENGAGEMENT == "pinpoint":

    def test_pinpoint_app_streams_events_to_the_lake_when_there_is_one(dev):
        streams = dev["Engagement"].find_resources("AWS::Pinpoint::EventStream")
        assert len(streams) == (1 if LAKE else 0)

    def test_pinpoint_end_of_support_warning_is_acknowledged_with_its_reason(app, assembly):
        engagement = app.node.find_child("Dev").node.find_child("Engagement").node.find_child("Engagement")
        reasons = [
            entry.data
            for entry in engagement.node.metadata
            if "CloudFormation-Validate::W3696" in json.dumps(entry.data)
        ]
        assert len(reasons) == 1 and "successor" in json.dumps(reasons), reasons
