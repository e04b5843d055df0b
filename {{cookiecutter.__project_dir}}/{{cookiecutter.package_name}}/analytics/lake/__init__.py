"""Container logs -> Data Firehose -> S3 lake -> Glue catalog -> Athena (steps 19-21)."""
