"""Step 22's dashboards: one sheet over the application-log dataset, as a Quick Sight definition.

The same definition makes the analysis (where the owner edits) and the published dashboard
(what readers see). Every visual names columns of the dataset (bi/infrastructure.py builds
them from analytics/lake/log_schema.py); `user_id` is left out, as Enterprise hides it from
everyone but the owner.
"""

from __future__ import annotations

import re
from typing import Any

DATA_SET = "logs"  # the dataset's identifier inside the definition
ANALYSIS_ACTIONS = (
    "quicksight:DescribeAnalysis",
    "quicksight:DescribeAnalysisPermissions",
    "quicksight:QueryAnalysis",
    "quicksight:UpdateAnalysis",
    "quicksight:UpdateAnalysisPermissions",
    "quicksight:DeleteAnalysis",
    "quicksight:RestoreAnalysis",
)
DASHBOARD_ACTIONS = (
    "quicksight:DescribeDashboard",
    "quicksight:ListDashboardVersions",
    "quicksight:QueryDashboard",
    "quicksight:UpdateDashboard",
    "quicksight:DeleteDashboard",
    "quicksight:UpdateDashboardPermissions",
    "quicksight:DescribeDashboardPermissions",
    "quicksight:UpdateDashboardPublishedVersion",
)


def _column(name: str) -> dict[str, str]:
    return {"data_set_identifier": DATA_SET, "column_name": name}


def _title(text: str) -> dict[str, Any]:
    return {"visibility": "VISIBLE", "format_text": {"plain_text": text}}


def _count(field_id: str, column: str) -> dict[str, Any]:
    return {
        "categorical_measure_field": {"field_id": field_id, "column": _column(column), "aggregation_function": "COUNT"}
    }


def _average(field_id: str, column: str) -> dict[str, Any]:
    return {
        "numerical_measure_field": {
            "field_id": field_id,
            "column": _column(column),
            "aggregation_function": {"simple_numerical_aggregation": "AVERAGE"},
        }
    }


def _category(field_id: str, column: str) -> dict[str, Any]:
    return {"categorical_dimension_field": {"field_id": field_id, "column": _column(column)}}


def _bar_chart(visual_id: str, title: str, category: dict, value: dict, colors: list[dict] | None = None) -> dict:
    wells: dict[str, Any] = {"category": [category], "values": [value]}
    if colors:
        wells["colors"] = colors
    return {
        "bar_chart_visual": {
            "visual_id": visual_id,
            "title": _title(title),
            "chart_configuration": {
                "field_wells": {"bar_chart_aggregated_field_wells": wells},
                "orientation": "HORIZONTAL",
            },
        }
    }


def visuals() -> list[dict[str, Any]]:
    """Traffic, errors and latency of the service, from its log lines."""
    return [
        {
            "kpi_visual": {
                "visual_id": "requests",
                "title": _title("Log lines"),
                "chart_configuration": {"field_wells": {"values": [_count("requests-count", "message")]}},
            }
        },
        {
            "line_chart_visual": {
                "visual_id": "requests-per-hour",
                "title": _title("Log lines per hour, by level"),
                "chart_configuration": {
                    "field_wells": {
                        "line_chart_aggregated_field_wells": {
                            "category": [
                                {
                                    "date_dimension_field": {
                                        "field_id": "hour",
                                        "column": _column("event_time"),
                                        "date_granularity": "HOUR",
                                    }
                                }
                            ],
                            "values": [_count("lines-per-hour", "message")],
                            "colors": [_category("level", "level")],
                        }
                    }
                },
            }
        },
        _bar_chart(
            "responses-by-status",
            "Responses by HTTP status",
            {"numerical_dimension_field": {"field_id": "status", "column": _column("status")}},
            _count("responses", "request_id"),
        ),
        _bar_chart(
            "latency-by-path",
            "Average latency (ms) by path and method",
            _category("path", "path"),
            _average("latency", "latency_ms"),
            colors=[_category("method", "method")],
        ),
    ]


def definition(data_set_arn: str) -> dict[str, Any]:
    """The analysis and dashboard definition: the dataset it reads and one sheet of visuals."""
    return _jsii_keys(
        {
            "data_set_identifier_declarations": [{"identifier": DATA_SET, "data_set_arn": data_set_arn}],
            "sheets": [{"sheet_id": "service", "name": "Service", "visuals": visuals()}],
        }
    )


def _jsii_keys(node: Any) -> Any:
    """CDK reads a plain dict passed for a struct by its camelCase property names."""
    if isinstance(node, list):
        return [_jsii_keys(item) for item in node]
    if isinstance(node, dict):
        return {re.sub(r"_([a-z])", lambda m: m[1].upper(), key): _jsii_keys(value) for key, value in node.items()}
    return node
