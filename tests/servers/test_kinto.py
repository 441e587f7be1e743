"""Kinto, run for real, judges the client generated from the document it serves.

Kinto (in-memory storage, ``basicauth``) publishes a Swagger 2.0 document at
``/v1/__api__``; forgegen converts it and generates ``kinto_served`` from the
bytes as served.  The tests drive buckets, collections, groups and records
through that client -- create, read, update, patch, list, delete -- with the
``username``/``password`` keywords the ``basicauth`` scheme calls for, and
check the server's errors (401, 403, 404, 412) arrive as the generated error
classes with their parsed bodies.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.servers.conftest import KintoServer
from tests.support.real_servers import GeneratedClient

ALICE = ("alice", "alice-password")
BOB = ("bob", "bob-password")


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def alice(kinto: GeneratedClient, kinto_server: KintoServer) -> Iterator[Any]:
    username, password = ALICE
    with kinto.Client(base_url=kinto_server.api_url, username=username, password=password) as api:
        yield api


@pytest.fixture
def bob(kinto: GeneratedClient, kinto_server: KintoServer) -> Iterator[Any]:
    username, password = BOB
    with kinto.Client(base_url=kinto_server.api_url, username=username, password=password) as api:
        yield api


@pytest.fixture
def bucket(kinto: GeneratedClient, alice: Any) -> str:
    """A fresh bucket of alice's."""
    bucket_id = unique("bucket")
    alice.buckets.create_bucket(body=kinto.models.CreateBucketBody(data={"id": bucket_id}))
    return bucket_id


@pytest.fixture
def collection(kinto: GeneratedClient, alice: Any, bucket: str) -> str:
    """A fresh collection in alice's fresh bucket."""
    collection_id = unique("collection")
    alice.collections.create_collection(
        bucket_id=bucket, body=kinto.models.CreateCollectionBody(data={"id": collection_id})
    )
    return collection_id


# -- the document -----------------------------------------------------------------


def test_served_document_generates_a_client_whose_default_server_is_kinto(
    kinto: GeneratedClient, kinto_server: KintoServer
) -> None:
    document = json.loads(kinto_server.document)
    assert document["swagger"] == "2.0"
    assert document["securityDefinitions"] == {"basicauth": {"type": "basic"}}
    # host + basePath + schemes of the 2.0 document became the client's default server
    assert kinto.Client.default_base_url == kinto_server.api_url
    with kinto.Client() as anonymous:
        info = anonymous.utilities.server_info()  # security: [] -- no credentials needed
        heartbeat = anonymous.utilities.heartbeat()
    assert info["project_name"] == "kinto"
    assert info["url"] == f"{kinto_server.api_url}/"
    assert "basicauth" in info["capabilities"]
    assert heartbeat == {"storage": True, "permission": True, "cache": True}


# -- buckets, collections, groups, records ----------------------------------------


def test_bucket_create_read_list_update_patch_delete(kinto: GeneratedClient, alice: Any) -> None:
    models = kinto.models
    bucket_id = unique("bucket")
    created = alice.buckets.create_bucket(
        body=models.CreateBucketBody(data={"id": bucket_id, "title": "First"})
    )
    assert created.data.id == bucket_id
    assert created.data.title == "First"
    # the owner is the principal Kinto derives from the credentials the client sent
    assert created.permissions.write == [KintoServer.userid(*ALICE)]

    read = alice.buckets.get_bucket(id=bucket_id)
    assert read.data.id == bucket_id
    assert read.data.title == "First"
    assert read.data.last_modified == created.data.last_modified

    listed = alice.buckets.get_buckets()
    assert bucket_id in [item.id for item in listed.data]

    replaced = alice.buckets.update_bucket(
        id=bucket_id, body=models.UpdateBucketBody(data={"title": "Second"})
    )
    assert replaced.data.title == "Second"
    assert replaced.data.last_modified > created.data.last_modified

    patched = alice.buckets.patch_bucket(
        id=bucket_id, body=models.PatchBucketBody(data={"title": "Third"})
    )
    assert patched.data["title"] == "Third"  # PATCH answers a free-form data object
    assert alice.buckets.get_bucket(id=bucket_id).data.title == "Third"

    deleted = alice.buckets.delete_bucket(id=bucket_id)
    assert deleted.data["id"] == bucket_id
    assert deleted.data["deleted"] is True
    assert bucket_id not in [item.id for item in alice.buckets.get_buckets().data]
    # a deleted bucket is not told apart from someone else's: 403, never 404
    forbidden = kinto.operation("buckets", "get_bucket").GetBucketForbiddenError
    with pytest.raises(forbidden) as caught:
        alice.buckets.get_bucket(id=bucket_id)
    assert caught.value.status_code == 403
    assert caught.value.parsed.errno == 121


def test_put_creates_a_bucket_with_201_then_replaces_it_with_200(
    kinto: GeneratedClient, alice: Any
) -> None:
    bucket_id = unique("bucket")
    body = kinto.models.UpdateBucketBody
    first = alice.buckets.update_bucket.with_raw_response(id=bucket_id, body=body(data={"n": 1}))
    assert first.status_code == 201
    assert type(first.parsed).__name__ == "UpdateBucketResponse201"
    second = alice.buckets.update_bucket.with_raw_response(id=bucket_id, body=body(data={"n": 2}))
    assert second.status_code == 200
    assert type(second.parsed).__name__ == "UpdateBucketResponse200"
    assert second.headers["ETag"] == f'"{second.parsed.data.last_modified}"'


def test_collection_create_read_list_update_delete(
    kinto: GeneratedClient, alice: Any, bucket: str
) -> None:
    models = kinto.models
    collection_id = unique("collection")
    created = alice.collections.create_collection(
        bucket_id=bucket,
        body=models.CreateCollectionBody(data={"id": collection_id, "cache_expires": 60}),
    )
    assert created.data.id == collection_id
    assert created.data.cache_expires == 60

    read = alice.collections.get_collection(bucket_id=bucket, id=collection_id)
    assert read.data.cache_expires == 60
    assert [item.id for item in alice.collections.get_collections(bucket_id=bucket).data] == [
        collection_id
    ]

    updated = alice.collections.update_collection(
        bucket_id=bucket, id=collection_id, body=models.UpdateCollectionBody(data={"size": "L"})
    )
    assert updated.data.cache_expires is None  # PUT replaces the whole object
    patched = alice.collections.patch_collection(
        bucket_id=bucket,
        id=collection_id,
        body=models.PatchCollectionBody(data={"cache_expires": 5}),
    )
    assert patched.data["cache_expires"] == 5

    alice.collections.delete_collection(bucket_id=bucket, id=collection_id)
    assert alice.collections.get_collections(bucket_id=bucket).data == []
    not_found = kinto.operation("collections", "get_collection").GetCollectionNotFoundError
    with pytest.raises(not_found) as caught:
        alice.collections.get_collection(bucket_id=bucket, id=collection_id)
    assert isinstance(caught.value, kinto.package.NotFoundError)
    assert caught.value.status_code == 404
    assert caught.value.parsed.details == {"id": collection_id, "resource_name": "collection"}


def test_group_create_read_list_delete(kinto: GeneratedClient, alice: Any, bucket: str) -> None:
    members = [KintoServer.userid(*BOB), "system.Authenticated"]
    created = alice.groups.create_group(
        bucket_id=bucket,
        body=kinto.models.CreateGroupBody(data={"id": "readers", "members": members}),
    )
    assert created.data.members == members
    assert alice.groups.get_group(bucket_id=bucket, id="readers").data.members == members
    patched = alice.groups.patch_group(
        bucket_id=bucket,
        id="readers",
        body=kinto.models.PatchGroupBody(data={"members": members[:1]}),
    )
    assert patched.data["members"] == members[:1]
    assert [group.id for group in alice.groups.get_groups(bucket_id=bucket).data] == ["readers"]
    alice.groups.delete_group(bucket_id=bucket, id="readers")
    assert alice.groups.get_groups(bucket_id=bucket).data == []
    with pytest.raises(kinto.operation("groups", "get_group").GetGroupNotFoundError):
        alice.groups.get_group(bucket_id=bucket, id="readers")


def test_record_create_read_update_patch_list_delete(
    kinto: GeneratedClient, alice: Any, bucket: str, collection: str
) -> None:
    models = kinto.models
    where = {"bucket_id": bucket, "collection_id": collection}
    data = {"title": "café ☕", "tags": ["a", "b"], "nested": {"n": 1.5, "none": None}}
    created = alice.records.create_record(**where, body=models.CreateRecordBody(data=data))
    record_id = created.data["id"]
    assert {key: created.data[key] for key in data} == data
    uuid.UUID(record_id)  # the server chose a UUID

    read = alice.records.get_record(**where, id=record_id)
    assert read.data == created.data

    replaced = alice.records.update_record(
        **where, id=record_id, body=models.UpdateRecordBody(data={"title": "tea"})
    )
    assert replaced.data["title"] == "tea"
    assert "tags" not in replaced.data
    patched = alice.records.patch_record(
        **where, id=record_id, body=models.PatchRecordBody(data={"tags": ["c"]})
    )
    assert (patched.data["title"], patched.data["tags"]) == ("tea", ["c"])

    listed = alice.records.get_records(**where)
    assert listed.data == [patched.data]

    deleted = alice.records.delete_record(**where, id=record_id)
    assert deleted.data["deleted"] is True
    assert alice.records.get_records(**where).data == []
    not_found = kinto.operation("records", "get_record").GetRecordNotFoundError
    with pytest.raises(not_found) as caught:
        alice.records.get_record(**where, id=record_id)
    error = caught.value
    assert isinstance(error, kinto.package.NotFoundError)
    assert error.status_code == 404
    assert error.parsed.code == 404
    assert error.parsed.errno == 110
    assert error.parsed.error == "Not Found"
    assert error.parsed.details == {"id": record_id, "resource_name": "record"}


def test_record_listing_sorts_limits_and_filters(
    kinto: GeneratedClient, alice: Any, bucket: str, collection: str
) -> None:
    where = {"bucket_id": bucket, "collection_id": collection}
    for n in range(4):
        alice.records.create_record(
            **where, body=kinto.models.CreateRecordBody(data={"id": f"r{n}", "n": n})
        )
    descending = alice.records.get_records(**where, sort=["-n"], limit=2)
    assert [record["id"] for record in descending.data] == ["r3", "r2"]
    page = alice.records.get_records.with_raw_response(**where, sort=["n"], limit=3)
    assert [record["n"] for record in page.parsed.data] == [0, 1, 2]
    assert "_token=" in page.headers["Next-Page"]
    only = alice.records.get_records(**where, id="r1", fields=["n"])
    assert only.data == [{"id": "r1", "n": 1, "last_modified": only.data[0]["last_modified"]}]


def test_stale_if_match_is_a_412_with_the_current_record(
    kinto: GeneratedClient, alice: Any, bucket: str, collection: str
) -> None:
    models = kinto.models
    where = {"bucket_id": bucket, "collection_id": collection, "id": "guarded"}
    first = alice.records.update_record.with_raw_response(
        **where, body=models.UpdateRecordBody(data={"v": 1})
    )
    etag = first.headers["ETag"]
    second = alice.records.update_record(
        **where, if_match=etag, body=models.UpdateRecordBody(data={"v": 2})
    )
    assert second.data["v"] == 2
    stale = kinto.operation("records", "update_record").UpdateRecordPreconditionFailedError
    with pytest.raises(stale) as caught:
        alice.records.update_record(**where, if_match=etag, body=models.UpdateRecordBody(data={}))
    error = caught.value
    assert error.status_code == 412
    assert error.parsed.errno == 114
    assert error.parsed.message == "Resource was modified meanwhile"
    assert error.parsed.details["existing"] == second.data
    assert alice.records.get_record(**where).data["v"] == 2


def test_404_answered_by_a_default_response_is_still_a_not_found_error(
    kinto: GeneratedClient, alice: Any, bucket: str
) -> None:
    # get_records declares no 404: Kinto's 404 for a missing collection is its `default`
    records = kinto.operation("records", "get_records")
    with pytest.raises(records.GetRecordsDefaultError) as caught:
        alice.records.get_records(bucket_id=bucket, collection_id="missing")
    error = caught.value
    assert isinstance(error, kinto.package.NotFoundError)
    assert error.status_code == 404
    assert error.parsed.errno == 111
    assert error.parsed.details == {"id": "missing", "resource_name": "collection"}


def test_invalid_parameter_is_a_400_naming_it(
    kinto: GeneratedClient, alice: Any, bucket: str, collection: str
) -> None:
    records = kinto.operation("records", "get_records")
    with pytest.raises(records.GetRecordsBadRequestError) as caught:
        alice.records.get_records(bucket_id=bucket, collection_id=collection, limit=-5)
    error = caught.value
    assert isinstance(error, kinto.package.BadRequestError)
    assert error.status_code == 400
    assert error.parsed.errno == 107
    assert error.parsed.error == "Invalid parameters"
    assert error.parsed.details == [
        {
            "location": "querystring",
            "name": "_limit",
            "description": "-5 is less than minimum value 0",
        }
    ]


# -- authentication ---------------------------------------------------------------


def test_no_credentials_is_refused_before_any_request(
    kinto: GeneratedClient, kinto_server: KintoServer
) -> None:
    with (
        kinto.Client(base_url=kinto_server.api_url) as anonymous,
        pytest.raises(kinto.package.MissingCredentialsError) as caught,
    ):
        anonymous.buckets.get_buckets()
    assert "username" in str(caught.value)
    assert "password" in str(caught.value)
    assert caught.value.requirements == (("basicauth",),)


def test_credentials_kinto_does_not_accept_are_a_401(
    kinto: GeneratedClient, kinto_server: KintoServer
) -> None:
    # the auth= escape hatch sends a bearer token, which a basicauth-only Kinto ignores
    hook = kinto.runtime().BearerTokenAuthHook("not-a-kinto-credential")
    with kinto.Client(base_url=kinto_server.api_url, auth=hook) as stranger:
        unauthorized = kinto.operation("buckets", "create_bucket").CreateBucketUnauthorizedError
        with pytest.raises(unauthorized) as caught:
            stranger.buckets.create_bucket(body=kinto.models.CreateBucketBody(data={"id": "x"}))
    error = caught.value
    assert isinstance(error, kinto.package.UnauthorizedError)
    assert error.status_code == 401
    assert error.parsed.errno == 104
    assert error.parsed.message == "Please authenticate yourself to use this endpoint."


def test_another_users_bucket_is_a_403_until_shared(
    kinto: GeneratedClient, alice: Any, bob: Any, bucket: str, collection: str
) -> None:
    models = kinto.models
    forbidden = kinto.operation("buckets", "get_bucket").GetBucketForbiddenError
    with pytest.raises(forbidden) as caught:
        bob.buckets.get_bucket(id=bucket)
    error = caught.value
    assert isinstance(error, kinto.package.PermissionDeniedError)
    assert error.status_code == 403
    assert error.parsed.message == "This user cannot access this resource."
    assert bucket not in [item.id for item in bob.buckets.get_buckets().data]

    where = {"bucket_id": bucket, "collection_id": collection}
    alice.records.create_record(
        **where,
        body=models.CreateRecordBody(
            data={"id": "shared", "v": 1},
            permissions=models.CreateRecordBodyPermissions(read=[KintoServer.userid(*BOB)]),
        ),
    )
    alice.records.create_record(**where, body=models.CreateRecordBody(data={"id": "private"}))
    assert bob.records.get_record(**where, id="shared").data["v"] == 1
    assert [record["id"] for record in bob.records.get_records(**where).data] == ["shared"]
    delete_forbidden = kinto.operation("records", "delete_record").DeleteRecordForbiddenError
    with pytest.raises(delete_forbidden):
        bob.records.delete_record(**where, id="shared")
    assert alice.records.get_record(**where, id="shared").data["v"] == 1


def test_batch_is_declared_without_security_so_its_requests_are_anonymous(
    kinto: GeneratedClient, alice: Any, bucket: str
) -> None:
    # /batch says `security: []`: the client sends no credentials with it (even with
    # username/password given), and Kinto runs the sub-requests as nobody
    models = kinto.models
    answer = alice.batch.batch(
        body=models.BatchBody(
            requests=[
                models.BatchBodyRequestsItem(method="GET", path="/buckets"),
                models.BatchBodyRequestsItem(method="GET", path=f"/buckets/{bucket}"),
            ]
        )
    )
    assert [(item.status, item.path) for item in answer.responses] == [
        (401, "/v1/buckets"),
        (401, f"/v1/buckets/{bucket}"),
    ]
    assert answer.responses[0].body["errno"] == 104


# -- asyncio ----------------------------------------------------------------------


def test_async_client_drives_the_same_server(
    kinto: GeneratedClient, kinto_server: KintoServer, alice: Any, bucket: str, collection: str
) -> None:
    import asyncio

    models = kinto.models
    where = {"bucket_id": bucket, "collection_id": collection}

    async def scenario() -> tuple[Any, Any]:
        username, password = ALICE
        async with kinto.package.AsyncClient(
            base_url=kinto_server.api_url, username=username, password=password
        ) as api:
            created = await asyncio.gather(
                *(
                    api.records.create_record(
                        **where, body=models.CreateRecordBody(data={"id": f"a{n}", "n": n})
                    )
                    for n in range(3)
                )
            )
            listed = await api.records.get_records(**where, sort=["n"])
            return created, listed

    created, listed = asyncio.run(scenario())
    assert sorted(record.data["id"] for record in created) == ["a0", "a1", "a2"]
    assert [record["id"] for record in listed.data] == ["a0", "a1", "a2"]
    assert len(alice.records.get_records(**where).data) == 3
