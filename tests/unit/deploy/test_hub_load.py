"""The load benchmark speaks the kernel websocket protocol JupyterLab uses, and stays within its bounds."""

from __future__ import annotations

import json

import pytest
from jupyter_server.services.kernels.connection.base import deserialize_msg_from_ws_v1, serialize_msg_to_ws_v1

from benchmarks.hub_load import _message, from_ws_v1, main, pct, to_ws_v1


def test_messages_match_jupyter_servers_v1_protocol_both_ways():
    parts = _message("comm_msg", {"comm_id": "abc", "data": {"method": "update", "state": {"value": 42.0},
                                                             "buffer_paths": []}}, "session", "student01")
    ours = to_ws_v1(parts, "shell")
    assert ours == serialize_msg_to_ws_v1(parts, "shell")
    assert deserialize_msg_from_ws_v1(ours) == ("shell", parts)
    reply = serialize_msg_to_ws_v1([b'{"msg_type": "status"}', b"{}", b"{}", b'{"execution_state": "idle"}'], "iopub")
    channel, got = from_ws_v1(reply)
    assert channel == "iopub" and json.loads(got[3]) == {"execution_state": "idle"}
    header = json.loads(parts[0])
    assert header["msg_type"] == "comm_msg" and header["username"] == "student01" and header["version"] == "5.3"


def test_percentiles_are_of_the_values_given():
    assert pct([3.0, 1.0, 2.0], 0.5) == 2.0
    assert pct(list(range(1, 101)), 0.95) == 95 and pct([7.0], 0.95) == 7.0


@pytest.mark.parametrize("args", [["--students", "61"], ["--students", "0"], ["--minutes", "6"],
                                  ["--interval", "0.01"]])
def test_runs_are_bounded(args, capsys):
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2 and "must be" in capsys.readouterr().err
