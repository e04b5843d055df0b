"""Redshift fed from the DynamoDB table by zero-ETL (step 23)."""
