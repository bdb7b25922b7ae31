"""Customer-facing sentences: message templates, knowledge articles (data/ holds their texts), the
Resolve stage's sentences and the phone line's prompts."""
