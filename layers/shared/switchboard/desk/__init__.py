"""The agents' side: list, claim and complete the human tasks of their queues."""
