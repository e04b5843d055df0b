"""Analytics: the log lake (steps 19-21), Quick Sight (22, 24) and the Redshift warehouse (23)."""
