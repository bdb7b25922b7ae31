"""The picture of the centre: the case events' projection (projection.py) and the figures read from it
(figures.py), for GET /reports, the yearly complaint table and the ops metrics."""
