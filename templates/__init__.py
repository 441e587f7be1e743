"""The Jinja2 templates of forgegen, shipped as package data (``forgegen.templates``)."""
