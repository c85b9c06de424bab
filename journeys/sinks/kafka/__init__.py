"""Kafka destination: importing the package registers the "kafka" sink kind."""

from .transport import KafkaSink

__all__ = ["KafkaSink"]
