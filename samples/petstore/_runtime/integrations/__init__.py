"""Web-framework integrations (Django, Flask, ASGI), each imported only when used.

Nothing here is imported by ``requestforge`` itself: importing
``requestforge.integrations.django`` is what pulls in Django.
"""

__all__: list[str] = []
