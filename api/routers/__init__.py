"""The JSON API's routers, one per resource, all under ``/api/v1``."""
