"""The HTTP edge: Powertools' resolver with validation and our error shape (resolver), one Router per
area (contacts: the customers' routes; tasks: the agents'), the generated OpenAPI document and Swagger
UI (docs). What talks HTTP lives here; the use cases behind it raise domain errors."""
