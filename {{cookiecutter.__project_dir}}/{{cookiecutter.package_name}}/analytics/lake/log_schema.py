"""The contract between the container's log lines and the lake's Glue table.

The container writes one JSON object per line to stdout; FireLens sends the line
unchanged (``log_key: log``) to the delivery stream, which appends it to
``logs/dt=YYYY-MM-DD/`` objects. The Glue table, the Athena named
queries and the Quick Sight dataset are all declared from COLUMNS and
PARTITION_KEY below, so a change to the record shape is made here once.
Standard library only: the container app may import or copy this module.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

# (name, Glue/Athena type, required, description) in table order.
COLUMNS: tuple[tuple[str, str, bool, str], ...] = (
    ("timestamp", "string", True, "event time, ISO 8601 in UTC, e.g. 2026-11-27T21:30:00.123Z"),
    ("level", "string", True, "DEBUG, INFO, WARNING, ERROR or CRITICAL"),
    ("message", "string", True, "human-readable message"),
    ("service", "string", False, "name of the service that wrote the line"),
    ("request_id", "string", False, "id of the request being served, shared with the API's logs"),
    ("method", "string", False, "HTTP method of the request"),
    ("path", "string", False, "HTTP path of the request, without the query string"),
    ("status", "int", False, "HTTP status code of the response"),
    ("latency_ms", "double", False, "time to serve the request, in milliseconds"),
    ("user_id", "string", False, "Cognito subject (sub) of the caller, never an email address"),
)
# One Hive-style partition written by the delivery stream: the arrival date in UTC.
PARTITION_KEY = "dt"
PARTITION_FORMAT = "yyyy-MM-dd"  # Java date pattern, as Firehose and Athena projection read it
LOG_PREFIX = "logs/"
ERROR_TYPE = "!{firehose:error-output-type}"


def date_partitioned(prefix: str) -> str:
    """A Firehose S3 prefix that writes under `prefix` into one folder per arrival day."""
    return prefix + PARTITION_KEY + "=!{timestamp:" + PARTITION_FORMAT + "}/"


DATA_OUTPUT_PREFIX = date_partitioned(LOG_PREFIX)
ERROR_OUTPUT_PREFIX = date_partitioned("errors/" + ERROR_TYPE + "/")
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

_PYTHON_TYPES: dict[str, tuple[type, ...]] = {"string": (str,), "int": (int,), "double": (int, float)}
_ISO_8601_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|\+00:00)$")
_FIREHOSE_TIMESTAMP = re.compile(r"!\{timestamp:([^}]+)\}")
_JAVA_TO_STRFTIME = (("yyyy", "%Y"), ("MM", "%m"), ("dd", "%d"), ("HH", "%H"))


class LogRecordError(ValueError):
    """A log line that the Glue table cannot read as declared."""


def column_names() -> tuple[str, ...]:
    return tuple(name for name, *_ in COLUMNS)


def normalise(line: str | bytes) -> dict[str, Any]:
    """Parse one log line into a record with exactly the table's columns, or raise LogRecordError.

    Absent optional keys become None (Athena reads them as NULL); keys the table
    does not declare are dropped, as the JSON SerDe would ignore them.
    """
    text = line.decode("utf-8") if isinstance(line, bytes) else line
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise LogRecordError(f"not JSON: {error}") from None
    if not isinstance(raw, dict):
        raise LogRecordError("a log line must be a JSON object")
    record: dict[str, Any] = {}
    for name, glue_type, required, _ in COLUMNS:
        value = raw.get(name)
        if value is None:
            if required:
                raise LogRecordError(f"missing required key '{name}'")
            record[name] = None
            continue
        if isinstance(value, bool) or not isinstance(value, _PYTHON_TYPES[glue_type]):
            raise LogRecordError(f"'{name}' must be of Glue type {glue_type}, got {type(value).__name__}")
        record[name] = value
    if not _ISO_8601_UTC.match(record["timestamp"]):
        raise LogRecordError("'timestamp' must be ISO 8601 in UTC (e.g. 2026-11-27T21:30:00.123Z)")
    if record["level"] not in LEVELS:
        raise LogRecordError(f"'level' must be one of {', '.join(LEVELS)}")
    if record["status"] is not None and not 100 <= record["status"] <= 599:
        raise LogRecordError("'status' must be an HTTP status code")
    if record["latency_ms"] is not None and record["latency_ms"] < 0:
        raise LogRecordError("'latency_ms' must not be negative")
    return record


def object_prefix(arrival: datetime, template: str = DATA_OUTPUT_PREFIX) -> str:
    """The S3 prefix the delivery stream writes a record to, for a record arriving at `arrival`."""
    moment = arrival.astimezone(UTC)

    def evaluate(match: re.Match[str]) -> str:
        pattern = match.group(1)
        for java, strftime in _JAVA_TO_STRFTIME:
            pattern = pattern.replace(java, strftime)
        return moment.strftime(pattern)

    return _FIREHOSE_TIMESTAMP.sub(evaluate, template)


def partition_value(key: str) -> str:
    """The value of the date partition that Athena reads from an object key, checked against its format."""
    values = dict(part.split("=", 1) for part in key.split("/") if "=" in part)
    if PARTITION_KEY not in values:
        raise LogRecordError(f"object key {key!r} has no partition {PARTITION_KEY}")
    try:
        datetime.strptime(values[PARTITION_KEY], "%Y-%m-%d")
    except ValueError:
        raise LogRecordError(f"{PARTITION_KEY}={values[PARTITION_KEY]!r} is not {PARTITION_FORMAT}") from None
    return values[PARTITION_KEY]
