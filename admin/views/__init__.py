"""One module per menu area; each has ``register(admin)``."""
