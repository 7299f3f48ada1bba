"""The flow of tests/e2e/test_python_client_package.py, run by the Python of a fresh virtual environment
that has only `pip install ./clients/python` (the erp-client package) in it:

    python grpc_client_flow.py '{"direct": [master, auth], "envoy": edge, "username": ..., "password": ...}'

Against the live mesh, directly and through Envoy: log in, list, typed errors with their details, an
API key exchanged for tokens, a token renewed before it expires. Against a fake master_svc of its
own: retries of an idempotent call on UNAVAILABLE, no retry of a write, the default deadline.
Prints one JSON line with what it saw; any deviation raises."""
from __future__ import annotations

import json
import sys
import time
import uuid
from concurrent import futures

import grpc

import erp_client
from erp.auth.v1 import auth_service_pb2, auth_service_pb2_grpc
from erp.master.v1 import master_service_pb2 as master_pb
from erp.master.v1 import master_service_pb2_grpc as master_grpc


def against_the_mesh(client: erp_client.Client) -> dict:
    continents = client.stub(master_grpc.ContinentServiceStub)
    name = f"pkg {uuid.uuid4().hex[:8]}"
    created = continents.CreateContinent(master_pb.CreateContinentRequest(continent=master_pb.Continent(name=name)))
    listed = continents.ListContinents(master_pb.ListContinentsRequest(search=name))
    assert [c.id for c in listed.continents] == [created.id], listed
    try:
        continents.CreateContinent(master_pb.CreateContinentRequest(continent=master_pb.Continent(name="")))
        raise AssertionError("an empty name was accepted")
    except erp_client.InvalidArgument as error:
        assert error.field_violations and error.field_violations[0].field.endswith("name"), error.field_violations
        assert isinstance(error, grpc.RpcError) and error.code() == grpc.StatusCode.INVALID_ARGUMENT
    try:
        continents.GetContinent(master_pb.GetContinentRequest(id="no-such-continent"))
        raise AssertionError("an unknown id was found")
    except erp_client.NotFound as error:
        assert error.resource_name == "no-such-continent", (error.resource_type, error.resource_name)
    stale = master_pb.Continent(id=created.id, name=name + " x", etag='W/"999"')
    try:
        continents.UpdateContinent(master_pb.UpdateContinentRequest(continent=stale))
        raise AssertionError("a stale etag was accepted")
    except erp_client.Aborted:
        pass
    return {"created": created.id}


def api_key_flow(client: erp_client.Client, target: str, auth_target: str | None) -> int:
    """An API key with one scope, exchanged for short-lived tokens by the package."""
    created = client.stub(auth_service_pb2_grpc.AuthServiceStub).CreateApiKey(auth_service_pb2.CreateApiKeyRequest(
        api_key=auth_service_pb2.ApiKey(name=f"pkg {uuid.uuid4().hex[:8]}", scopes=["master_continent_read"])))
    with erp_client.connect(target, auth_target=auth_target, api_key=created.secret) as keyed:
        listed = keyed.stub(master_grpc.ContinentServiceStub).ListContinents(master_pb.ListContinentsRequest(page_size=1))
        return listed.total_size


def renewal_flow(target: str, auth_target: str | None, username: str, password: str) -> int:
    """A margin longer than the token's life: every call renews first (with the refresh token)."""
    with erp_client.connect(target, auth_target=auth_target, username=username, password=password,
                            refresh_margin=10 ** 7) as client:
        continents = client.stub(master_grpc.ContinentServiceStub)
        for _ in range(3):
            continents.ListContinents(master_pb.ListContinentsRequest(page_size=1))
        return client.tokens.renewals


class FakeAuth(auth_service_pb2_grpc.AuthServiceServicer):
    def Login(self, request, context):
        return auth_service_pb2.LoginResponse(access_token="fake", refresh_token="fake-refresh", expires_in=3600)


class FlakyContinents(master_grpc.ContinentServiceServicer):
    """Answers List after two UNAVAILABLE, refuses every Create with UNAVAILABLE, sleeps on Get."""

    def __init__(self):
        self.calls = {"List": 0, "Create": 0}
        self.authorization = ""

    def ListContinents(self, request, context):
        self.calls["List"] += 1
        self.authorization = dict(context.invocation_metadata()).get("authorization", "")
        if self.calls["List"] <= 2:
            context.abort(grpc.StatusCode.UNAVAILABLE, "database unavailable")
        return master_pb.ListContinentsResponse(total_size=7)

    def CreateContinent(self, request, context):
        self.calls["Create"] += 1
        context.abort(grpc.StatusCode.UNAVAILABLE, "database unavailable")

    def GetContinent(self, request, context):
        time.sleep(2)
        return master_pb.Continent()


def against_a_flaky_service() -> dict:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    flaky = FlakyContinents()
    auth_service_pb2_grpc.add_AuthServiceServicer_to_server(FakeAuth(), server)
    master_grpc.add_ContinentServiceServicer_to_server(flaky, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        with erp_client.connect(f"127.0.0.1:{port}", username="u", password="p", deadline=0.5) as client:
            continents = client.stub(master_grpc.ContinentServiceStub)
            assert continents.ListContinents(master_pb.ListContinentsRequest()).total_size == 7
            assert flaky.authorization == "Bearer fake", flaky.authorization
            try:
                continents.CreateContinent(master_pb.CreateContinentRequest(continent=master_pb.Continent(name="x")))
                raise AssertionError("the write succeeded")
            except erp_client.Unavailable:
                pass
            started = time.monotonic()
            try:
                continents.GetContinent(master_pb.GetContinentRequest(id="x"))
                raise AssertionError("no deadline")
            except erp_client.DeadlineExceeded:
                waited = time.monotonic() - started
            assert waited < 1.5, waited
    finally:
        server.stop(0)
    return {"list_attempts": flaky.calls["List"], "create_attempts": flaky.calls["Create"]}


def main(config: dict) -> None:
    master, auth = config["direct"]
    summary = {}
    for route, (target, auth_target) in (("direct", (master, auth)), ("envoy", (config["envoy"], None))):
        with erp_client.connect(target, auth_target=auth_target, username=config["username"],
                                password=config["password"]) as client:
            summary[route] = against_the_mesh(client)
            summary[route]["api_key_total"] = api_key_flow(client, target, auth_target)
        summary[route]["renewals"] = renewal_flow(target, auth_target, config["username"], config["password"])
    summary["flaky"] = against_a_flaky_service()
    print(json.dumps(summary))


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
