"""Identity use cases: authorizing requests and bootstrapping an installation."""
