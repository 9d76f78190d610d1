"""The API's routers: health, models, cells, validation."""
