"""The dialplan web service (FastAPI): built by `create_app(settings)` in a later step."""
