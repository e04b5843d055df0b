"""The service unit's settings (config/<env>.yaml `service:`), with their defaults in one place, and the
names it fixes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServiceSettings:
    container_port: int = 8080
    listener_port: int = 80  # one load-balancer listener port per service
    test_listener_port: int = 9000  # blue/green: the new task set answers here before traffic shifts
    cpu: int = 256
    memory_mib: int = 512
    min_tasks: int = 2
    max_tasks: int = 4
    cpu_target_percent: int = 60
    connections_scale_out_above: int = 200  # NLB: active flows across the service
    connections_scale_in_below: int = 50
    requests_per_task: int = 500  # ALB: requests per target per minute
    api_stage: str = "v1"
    throttle_rate: int = 50  # requests per second, steady
    throttle_burst: int = 100
    log_level: str = "INFO"
    log_retention: str = "ONE_MONTH"  # a CloudWatch Logs RetentionDays name
    waf_requests_per_5_minutes: int = 2000  # per user token, or per client IP without one
    termination_wait_minutes: int = 5  # CodeDeploy blue/green: how long the old task set stays for a rollback


def task_role_names(service_name: str) -> tuple[str, str]:
    """The fixed names of the tasks' role and execution role, which the pipeline's deploy role passes to ECS."""
    return f"{service_name}-task", f"{service_name}-execution"
