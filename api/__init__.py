"""dialplan's web service: `create_app(settings)` builds it, `dialplan serve` runs it.

JSON endpoints under `/v1` (OpenAPI at `/openapi.json`, docs at `/docs`), and
the web tester page at `/`. The service uses only the public names of
`normalizer`; the core never imports it.

>>> from fastapi.testclient import TestClient
>>> TestClient(create_app(Settings())).get("/health").json()["tenant"]
'Contoso'
>>> create_app(Settings(max_batch_items=0))
Traceback (most recent call last):
...
normalizer.errors.DialplanInputError: field 'max_batch_items': must be an integer of at least 1, not 0
"""

from api.app import create_app
from api.server import serve
from api.settings import Settings

__all__ = ["Settings", "create_app", "serve"]
