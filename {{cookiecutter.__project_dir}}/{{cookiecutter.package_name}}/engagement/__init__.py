"""Messaging (step 25): SES and AWS End User Messaging, or the seed's Pinpoint."""
