"""The OpenFeature edge: the CLI's manifest sync API and OFREP remote evaluation."""
