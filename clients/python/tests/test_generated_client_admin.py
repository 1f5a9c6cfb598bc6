"""AdminService through the generated client: a key's whole life, seen from CompletionService."""

from __future__ import annotations

import uuid

import pytest
from builders import complete_request, text_of
from connectrpc.code import Code
from connectrpc.errors import ConnectError
from gateway_process import Gateway

from switchboard import SwitchboardClient, error_detail
from switchboard.v1 import admin_pb2, error_pb2


def test_key_created_by_admin_works_until_revoked(gateway: Gateway) -> None:
    name = f"py-admin-{uuid.uuid4().hex[:8]}"
    with SwitchboardClient(gateway.base_url, gateway.admin_key) as admin:
        created = admin.admin.create_key(admin_pb2.CreateKeyRequest(name=name))
        assert created.secret.startswith("sk-sb-")
        assert created.key.id and created.key.name == name
        assert created.secret.startswith(created.key.secret_prefix)
        assert created.secret not in str(created.key), "the key record never holds the secret"

        with SwitchboardClient(gateway.base_url, created.secret) as user:
            resp = user.completion.complete(complete_request('Hi. [[sim reply="still valid"]]'))
            assert text_of(resp.choices[0].message) == "still valid"

            got = admin.admin.get_key(admin_pb2.GetKeyRequest(id=created.key.id))
            assert got.key.name == name and not got.key.HasField("revoke_time")
            listed = admin.admin.list_keys(admin_pb2.ListKeysRequest())
            assert created.key.id in [k.id for k in listed.keys]

            revoked = admin.admin.revoke_key(admin_pb2.RevokeKeyRequest(id=created.key.id))
            assert revoked.key.HasField("revoke_time")

            with pytest.raises(ConnectError) as caught:
                user.completion.complete(complete_request("Hi."))
            assert caught.value.code == Code.UNAUTHENTICATED
            detail = error_detail(caught.value)
            assert detail is not None and detail.reason == error_pb2.ERROR_REASON_UNAUTHENTICATED


def test_virtual_key_cannot_call_admin_service(gateway: Gateway) -> None:
    with SwitchboardClient(gateway.base_url, gateway.secret) as client:
        with pytest.raises(ConnectError) as caught:
            client.admin.list_keys(admin_pb2.ListKeysRequest())

    assert caught.value.code == Code.PERMISSION_DENIED
    detail = error_detail(caught.value)
    assert detail is not None and detail.reason == error_pb2.ERROR_REASON_PERMISSION_DENIED
