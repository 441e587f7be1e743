"""The operations of Swagger Petstore - OpenAPI 3.0, one subpackage per tag.

``pet``: ``PetApi``
``store``: ``StoreApi``
``user``: ``UserApi``
"""
