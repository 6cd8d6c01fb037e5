"""The spine every tool shares: config, errors, image I/O, the result contract, the registry and the runner."""
