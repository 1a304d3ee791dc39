"""OpenFeature use cases: the manifest sync API and OFREP evaluation."""
