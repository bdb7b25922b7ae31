"""The domain's vocabulary and rules: models (every boundary's pydantic models and the Literal types of
ids), named errors, routing policy, clocks and periods, who is calling (identity), masking, the case view."""
