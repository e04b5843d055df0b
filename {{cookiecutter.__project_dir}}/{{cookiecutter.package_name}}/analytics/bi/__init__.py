"""Quick Sight over the lake (step 22), its edition and SAML federation (step 24)."""
