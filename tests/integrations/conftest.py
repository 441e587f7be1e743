"""Django is configured once per test process, here, before any test module imports it.

pytest-django is not used: ``settings.configure`` runs at collection of this
directory (only if nothing configured Django before), with the request-id
middleware, a local-memory cache for tokens and the views of ``django_app``.
Tests point ``REQUESTFORGE`` at their loopback server with ``override_settings``,
which also exercises the client reset on ``setting_changed``.
"""

from __future__ import annotations

import django
from django.conf import settings

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="requestforge-tests",
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF="tests.integrations.django_app",
        MIDDLEWARE=["requestforge.integrations.django.RequestIdMiddleware"],
        INSTALLED_APPS=[],
        DATABASES={},
        # The caches tests/runtime/test_storage.py expects too: Django is configured
        # once per process, by whichever test directory is collected first.
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": "requestforge-tests",
            },
            "redis": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": "redis://127.0.0.1:6379/13",  # the redis_url fixture's database
            },
            "unreachable": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": "redis://127.0.0.1:1/0",
            },
        },
        USE_TZ=True,
        REQUESTFORGE={"REQUEST_ID_HEADER": "X-Request-ID", "CLIENTS": {}},
    )
    django.setup()
