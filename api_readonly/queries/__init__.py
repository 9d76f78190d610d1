"""Read-only SQL for the API: SQLAlchemy Core, bound parameters only, one Connection per request."""
