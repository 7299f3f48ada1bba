"""A first-admin password that auth_svc had to generate is kept in a 0600 file beside the signing keys,
works for a login, and is in no log (the log line names the file only)."""
from __future__ import annotations

import shutil
import stat

import grpc
import pytest

from erp.auth.v1 import auth_service_pb2 as pb
from erp.auth.v1 import auth_service_pb2_grpc as pb_grpc
from tools.mesh import Mesh


@pytest.fixture
def auth_only_mesh():
    with pytest.MonkeyPatch.context() as env:
        env.delenv("ERP_ADMIN_PASSWORD", raising=False)
        mesh = Mesh.on_free_ports(prefix="erp-initial-password-", edges=(),
                                  extra_env={"ERP_BCRYPT_ROUNDS": "4"})
        mesh.start()
    yield mesh
    mesh.stop()
    shutil.rmtree(mesh.state_dir, ignore_errors=True)


def test_generated_password_is_in_a_private_file_and_no_log(auth_only_mesh):
    password_file = auth_only_mesh.state_dir / "keys" / "initial-admin-password"
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    password = password_file.read_text().strip()
    assert len(password) >= 16

    with grpc.insecure_channel(auth_only_mesh.auth_addr) as channel:
        tokens = pb_grpc.AuthServiceStub(channel).Login(pb.LoginRequest(username="admin", password=password),
                                                        timeout=10)
    assert tokens.access_token

    auth_only_mesh.stop()
    logs = {p.name: p.read_text(errors="replace") for p in (auth_only_mesh.state_dir / "log").glob("*.log")}
    assert "initial-admin-password" in logs["auth_svc.log"]  # the operator is told where to look
    assert not [name for name, text in logs.items() if password in text]
