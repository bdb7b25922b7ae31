"""Customer-facing sentences: the message templates and the knowledge articles (data/ holds their texts)."""
