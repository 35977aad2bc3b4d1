"""mlpulse: Slack ChatOps for ML platforms on AWS."""

__version__ = "0.1.0"
