"""`python -m items_service`: uvicorn on $PORT; SIGTERM from ECS drains in-flight requests before exit."""

import os

import uvicorn

from items_service.main import configure_logging, create_app

if __name__ == "__main__":
    configure_logging()
    uvicorn.run(
        create_app(),
        host="0.0.0.0",  # the task security group admits the load balancer only
        port=int(os.environ.get("PORT", "8080")),
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=20,  # below the task definition's 30 s stop timeout
    )
