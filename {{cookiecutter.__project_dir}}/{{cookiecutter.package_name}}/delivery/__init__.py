"""Steps 13-17: source, build and test, image to ECR, deployment, one CodePipeline."""
