"""Operator → provider: resend and cancel, each called once, reconciled, and audited."""
