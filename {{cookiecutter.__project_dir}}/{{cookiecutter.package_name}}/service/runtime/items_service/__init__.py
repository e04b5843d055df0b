"""The items service: the REST API's backend, running on Fargate behind the load balancer."""
