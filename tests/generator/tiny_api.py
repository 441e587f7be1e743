"""A hand-built IR for a tiny pet API: what the back end is tested with.

It exercises every parameter location, a JSON and a multipart body, a model
with aliases, defaults, an open enum, a recursive model, an alias, declared
error responses with and without a model, and hostile spec text in every
docstring position.
"""

from __future__ import annotations

from forgegen.ir import (
    Api,
    EnumMember,
    EnumType,
    Import,
    Model,
    ModelField,
    Operation,
    Pagination,
    Parameter,
    RequestBody,
    Response,
    SecurityScheme,
    Server,
    Tag,
    TypeAlias,
    TypeRef,
)

HOSTILE = 'Ends with a quote" and """triple""" \\ backslash\r\nnew line\u2028sep \x00 nul \ud800'


def model_ref(name: str, module: str, *, optional: bool = False, many: bool = False) -> TypeRef:
    text = f"list[{name}]" if many else name
    if optional:
        text += " | None"
    return TypeRef(text, frozenset({Import(module, name)}), frozenset({name}))


STR = TypeRef("str")
INT = TypeRef("int")
OPT_STR = TypeRef("str | None")
OPT_INT = TypeRef("int | None")
NONE = TypeRef("None")

STATUS = EnumType(
    name="PetStatus",
    module="models.pet_status",
    value_type="str",
    members=(
        EnumMember("AVAILABLE", '"available"', "Ready to go."),
        EnumMember("SOLD", '"sold"'),
    ),
    description=HOSTILE,
    pointer="#/components/schemas/PetStatus",
)

PET = Model(
    name="Pet",
    module="models.pet",
    fields=(
        ModelField("id", "id", OPT_INT, required=False),
        ModelField("name", "name", STR, required=True, description=HOSTILE),
        ModelField(
            "photo_urls",
            "photoUrls",
            TypeRef("list[str]"),
            required=True,
        ),
        ModelField(
            "status",
            "status",
            model_ref("PetStatus", "models.pet_status", optional=True),
            required=False,
        ),
        ModelField("kind", "pet-kind", STR, required=False, default='"dog"'),
        ModelField(
            "children",
            "children",
            model_ref("Pet", "models.pet", optional=True, many=True),
            required=False,
        ),
    ),
    description='A pet.\n\nWith a "quoted" word and a trailing quote"',
    pointer="#/components/schemas/Pet",
)

ERROR = Model(
    name="Error",
    module="models.error",
    fields=(
        ModelField("code", "code", INT, required=True),
        ModelField("message", "message", STR, required=True),
    ),
    extra=STR,
    pointer="#/components/schemas/Error",
)

UPLOAD = Model(
    name="Upload",
    module="models.upload",
    fields=(
        ModelField("file", "file", TypeRef("bytes"), required=True),
        ModelField("note", "note", OPT_STR, required=False),
    ),
)

PETS = TypeAlias(
    name="PetList",
    module="models.pet_list",
    target=model_ref("Pet", "models.pet", many=True),
    description="Several pets.",
)

GET_PET = Operation(
    python_name="get_pet",
    module="api.pets.get_pet",
    tag="pets",
    method="GET",
    path="/pets/{petId}",
    parameters=(
        Parameter("pet_id", "petId", "path", STR, required=True, style="simple"),
        Parameter(
            "x_trace",
            "X-Trace",
            "header",
            OPT_STR,
            required=False,
            style="simple",
            description=HOSTILE,
        ),
        Parameter("session", "session", "cookie", OPT_STR, required=False, style="form"),
    ),
    body=None,
    responses=(
        Response("200", "model", model_ref("Pet", "models.pet"), "application/json", "OK"),
        Response(
            "404",
            "model",
            model_ref("Error", "models.error"),
            "application/json",
            HOSTILE,
            error_class="GetPetNotFoundError",
        ),
        Response("5XX", "none", None, None, "Server trouble", error_class="GetPetServerError"),
    ),
    success_type=model_ref("Pet", "models.pet"),
    security=(("api_key",),),
    summary="Find a pet by id",
    description=HOSTILE,
    operation_id="getPet",
)

LIST_PETS = Operation(
    python_name="list_pets",
    module="api.pets.list_pets",
    tag="pets",
    method="GET",
    path="/pets",
    parameters=(
        Parameter(
            "status",
            "status",
            "query",
            model_ref("PetStatus", "models.pet_status", many=True),
            required=False,
            style="form_explode",
        ),
        Parameter("limit", "limit", "query", INT, required=False, style="form", default="10"),
        Parameter(
            "filter_",
            "filter",
            "query",
            TypeRef("dict[str, str]"),
            required=False,
            style="deep_object",
        ),
    ),
    body=None,
    responses=(
        Response(
            "200", "adapter", model_ref("PetList", "models.pet_list"), "application/json", "OK"
        ),
    ),
    success_type=model_ref("PetList", "models.pet_list"),
    security=(),
    summary="List pets",
    pagination=Pagination(style="link", item_type=model_ref("Pet", "models.pet")),
)

ADD_PET = Operation(
    python_name="add_pet",
    module="api.pets.add_pet",
    tag="pets",
    method="POST",
    path="/pets",
    parameters=(),
    body=RequestBody(
        "body", model_ref("Pet", "models.pet"), "application/json", "json", required=True
    ),
    responses=(
        Response("201", "model", model_ref("Pet", "models.pet"), "application/json", "Created"),
        Response(
            "default",
            "json",
            TypeRef("Any", frozenset({Import("typing", "Any", external=True)})),
            "application/json",
            "Anything else",
            error_class="AddPetError",
        ),
    ),
    success_type=model_ref("Pet", "models.pet"),
    security=(("api_key",), ()),
    summary="Add a pet",
    deprecated=True,
)

UPLOAD_PHOTO = Operation(
    python_name="upload_photo",
    module="api.files.upload_photo",
    tag="files",
    method="PUT",
    path="/pets/{petId}/photo",
    parameters=(Parameter("pet_id", "petId", "path", INT, required=True, style="simple"),),
    body=RequestBody(
        "body",
        model_ref("Upload", "models.upload"),
        "multipart/form-data",
        "multipart",
        required=True,
    ),
    responses=(Response("204", "none", None, None, "Stored"),),
    success_type=NONE,
    security=(("api_key",),),
    summary=None,
)

NOTE = Operation(
    python_name="put_note",
    module="api.files.put_note",
    tag="files",
    method="POST",
    path="/notes",
    parameters=(),
    body=RequestBody("body", STR, "text/plain", "text", required=True),
    responses=(Response("200", "text", STR, "text/plain", "Echo"),),
    success_type=STR,
    security=(),
)


def tiny_api(package_name: str = "tinypets") -> Api:
    return Api(
        package_name=package_name,
        title='Tiny "Pets" API',
        version="1.0.0",
        description=HOSTILE,
        servers=(Server("https://pets.example.com/v1", "Production"),),
        security_schemes=(
            SecurityScheme(
                name="api_key",
                python_prefix="",
                kind="apiKey",
                location="header",
                parameter_name="X-API-Key",
                parameters=(("api_key", "api_key"),),
            ),
        ),
        tags=(
            Tag("pets", "pets", "PetsApi", (GET_PET, LIST_PETS, ADD_PET), HOSTILE),
            Tag("files", "files", "FilesApi", (UPLOAD_PHOTO, NOTE)),
        ),
        models=(PET, ERROR, UPLOAD),
        enums=(STATUS,),
        aliases=(PETS,),
    )
