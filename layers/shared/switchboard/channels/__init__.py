"""How contacts come in: intake (validation, idempotency, the case and its execution), Amazon Connect's
contact flow, and the customers' use cases behind the contacts API."""
