#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""XenQmpClient from Python through GObject Introspection, against fake-qemu.

Prints TAP. Run by make check (tests/python.test sets GI_TYPELIB_PATH and
LD_LIBRARY_PATH into the build tree and FAKE_QEMU).
"""
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time

import gi
import gi.overrides
# The build tree's overrides before any a package installed in gi's own
# overrides folder, which extend_path() would put first.
if os.environ.get("XENQMP_PYTHON_OVERRIDES"):
    gi.overrides.__path__.insert(0, os.environ["XENQMP_PYTHON_OVERRIDES"])
gi.require_version("XenQmp", "1.0")
gi.require_version("Json", "1.0")
from gi.repository import GLib, Gio, Json, XenQmp  # noqa: E402

TIMEOUT_S = 30
results = []


class FakeQemu:
    def __init__(self, socket_path):
        self.path = socket_path
        self.proc = subprocess.Popen(
            [os.environ["FAKE_QEMU"], "--socket", socket_path, "--timeout", "300"])
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if stat.S_ISSOCK(os.stat(socket_path).st_mode):
                    return
            except FileNotFoundError:
                pass
            time.sleep(0.005)
        raise RuntimeError("fake-qemu did not create its socket")

    def pause(self):
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self):
        self.proc.send_signal(signal.SIGCONT)

    def stop(self):
        self.proc.send_signal(signal.SIGCONT)
        self.proc.terminate()
        self.proc.wait(timeout=10)


def run_until(predicate):
    context = GLib.MainContext.default()
    deadline = time.monotonic() + TIMEOUT_S
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        context.iteration(False) or time.sleep(0.001)


def execute(client, command, args=None, cancellable=None, node=False):
    """Runs execute_async and returns (value, error); ARGS is JSON text or
    a dict; with NODE the value is the Json.Node."""
    box = {}

    def done(source, result):
        try:
            if node:
                box["ret"] = source.execute_finish_node(result)
            else:
                box["ret"] = source.execute_finish(result)
        except GLib.Error as e:
            box["err"] = e

    arguments = args
    if isinstance(args, str):
        arguments = Json.from_string(args).get_object()
    client.execute_async(command, arguments, None, cancellable, done)
    run_until(lambda: box)
    return box.get("ret"), box.get("err")


def test(name):
    def wrap(func):
        def run(fake, client):
            try:
                func(fake, client)
                results.append((True, name, ""))
            except Exception as e:  # report and go on: TAP wants every case
                results.append((False, name, repr(e)))
        run.__name__ = name
        TESTS.append(run)
        return run
    return wrap


TESTS = []


@test("the overrides are loaded from gi/overrides/XenQmp.py")
def _(fake, client):
    assert type(client).__module__ == "gi.overrides.XenQmp", type(client).__module__
    assert XenQmp.Client.__module__ == "gi.overrides.XenQmp", XenQmp.Client.__module__


@test("execute returns the return value as a dict")
def _(fake, client):
    ret, err = execute(client, "query-status")
    assert err is None, err
    assert type(ret) is dict, type(ret)
    assert ret["status"] == "running", ret
    assert ret["running"] is True, ret
    greeting = client.props.greeting
    assert greeting.get_object_member("version").get_object_member("qemu").get_int_member("major") == 7
    assert client.props.connected


@test("results are plain Python values; the Json.Node is still at hand")
def _(fake, client):
    ret, err = execute(client, "query-version")
    assert err is None, err
    assert ret["qemu"] == {"major": 7, "minor": 2, "micro": 0}, ret
    assert isinstance(ret["qemu"]["major"], int)
    ret, err = execute(client, "query-fdsets")
    assert ret == [], ret
    ret, err = execute(client, "stop")
    assert ret == {}, ret
    execute(client, "cont")
    node, err = execute(client, "query-status", node=True)
    assert isinstance(node, Json.Node), node
    assert node.get_object().get_string_member("status") == "running"
    # execute_sync too, from a callback-free script
    ret = client.execute_sync("query-status")
    assert ret["status"] == "running", ret
    node = client.execute_sync_node("query-status")
    assert node.get_object().get_boolean_member("running") is True


@test("arguments may be a dict (or a Json.Object)")
def _(fake, client):
    ret, err = execute(client, "closefd", {"fdname": "no-such-fd"})
    assert err is not None and "no-such-fd" in err.message, err
    ret, err = execute(client, "closefd", '{"fdname": "no-such-either"}')
    assert err is not None and "no-such-either" in err.message, err
    try:
        client.execute_sync("query-fdsets", {"fdset-id": float("nan")})
        raise AssertionError("NaN was sent")
    except ValueError:
        pass
    try:
        client.execute_sync("query-fdsets", ["not", "an", "object"])
        raise AssertionError("a list was taken for the arguments")
    except TypeError:
        pass


@test("a QMP error carries its class and QEMU's desc")
def _(fake, client):
    ret, err = execute(client, "no-such-command")
    assert ret is None
    assert err.domain == GLib.quark_to_string(XenQmp.error_class_quark()), err.domain
    assert err.code == XenQmp.ErrorClass.COMMAND_NOT_FOUND, err.code
    assert err.message == "The command no-such-command has not been found", err.message
    ret, err = execute(client, "closefd", '{"fdname": "nope"}')
    assert err.code == XenQmp.ErrorClass.GENERIC_ERROR


@test("events arrive as the detailed event signal")
def _(fake, client):
    seen = []
    stops = []
    h1 = client.connect("event", lambda c, name, data, ts: seen.append((name, ts)))
    h2 = client.connect("event::STOP", lambda c, name, data, ts: stops.append(name))
    execute(client, "stop")
    execute(client, "cont")
    run_until(lambda: len(seen) == 2)
    assert [n for n, _ in seen] == ["STOP", "RESUME"], seen
    assert stops == ["STOP"], stops
    assert abs(seen[0][1] / 1e6 - time.time()) < 60
    client.disconnect(h1)
    client.disconnect(h2)


@test("event data is a dict (None without data); its Json.Object is at hand")
def _(fake, client):
    fake = own_fake(fake, "qmp-event-data")
    seen = []
    try:
        other = XenQmp.Client.new_for_socket(fake.path)
        other.connect("event", lambda c, name, data, ts: seen.append((name, data)))
        other.connect_after("event::SHUTDOWN",
                            lambda c, name, data, ts, tag: seen.append((tag, data)), "after")
        execute(other, "stop")
        execute(other, "quit")
        run_until(lambda: len(seen) == 3)
        other.close()
    finally:
        fake.stop()
    assert [n for n, _ in seen] == ["STOP", "SHUTDOWN", "after"], seen
    assert seen[0][1] is None, seen
    data = seen[1][1]
    assert data == {"guest": False, "reason": "host-qmp-quit"}, data
    assert isinstance(data, dict)
    assert isinstance(data.json_object, Json.Object)
    assert data.get_string_member("reason") == "host-qmp-quit"
    assert seen[2][1] == data


@test("cancelling an Active execute completes it at once with CANCELLED")
def _(fake, client):
    execute(client, "query-status")
    fake.pause()
    try:
        cancellable = Gio.Cancellable()
        box = {}

        def done(source, result):
            try:
                box["ret"] = source.execute_finish(result)
            except GLib.Error as e:
                box["err"] = e

        client.execute_async("query-status", None, None, cancellable, done)
        deadline = time.monotonic() + 0.1
        run_until(lambda: time.monotonic() > deadline)
        assert not box
        cancelled_at = time.monotonic()
        cancellable.cancel()
        run_until(lambda: box)
        assert time.monotonic() - cancelled_at < 1.0
        assert box["err"].matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED), box["err"]
    finally:
        fake.resume()
    # the late reply is dropped; the next command gets its own
    ret, err = execute(client, "query-version")
    assert err is None, err
    assert "qemu" in ret, ret


@test("a timeout is a local error")
def _(fake, client):
    fake.pause()
    try:
        client.props.timeout_ms = 200
        ret, err = execute(client, "query-status")
        assert err.matches(Gio.io_error_quark(), Gio.IOErrorEnum.TIMED_OUT), err
        assert XenQmp.error_get_class(err) == XenQmp.ErrorClass.LOCAL
    finally:
        client.props.timeout_ms = 0
        fake.resume()


@test("the closed signal says why when QEMU goes away")
def _(fake, client):
    execute(client, "query-status")
    reasons = []
    client.connect("closed", lambda c, reason: reasons.append(reason))
    fake.proc.kill()
    fake.proc.wait()
    run_until(lambda: reasons)
    assert reasons[0].matches(Gio.io_error_quark(), Gio.IOErrorEnum.CONNECTION_CLOSED), reasons[0]
    assert not client.props.connected


@test("a QAPI schema is walked and checks commands")
def _(fake, client):
    path = os.path.join(os.environ["G_TEST_SRCDIR"], "..", "fake-qemu", "scripts",
                        "qemu-7.2-schema.json")
    with open(path, "rb") as f:
        data = f.read().decode()
    schema = XenQmp.Schema.new_from_data(data, -1)
    assert schema.get_meta_type("device_del") == XenQmp.SchemaMetaType.COMMAND
    arg_type = schema.get_arg_type("device_del")
    ok, name, member_type, optional = schema.get_member(arg_type, 0)
    assert ok and (name, member_type, optional) == ("id", "str", False)
    assert "device_del" in schema.list(XenQmp.SchemaMetaType.COMMAND)
    try:
        schema.validate_command("device_del", {"idd": "nodev"})
        raise AssertionError("device_del idd=nodev was accepted")
    except GLib.Error as e:
        assert e.matches(Gio.io_error_quark(), Gio.IOErrorEnum.INVALID_ARGUMENT), e
        assert e.message == "device_del: no argument 'idd'; did you mean 'id'?", e.message


def own_fake(fake, name):
    """A fake-qemu of the test's own (an earlier test stops the shared one)."""
    return FakeQemu(os.path.join(os.path.dirname(fake.path), name))


@test("a QMP error matches XenQmp.ErrorClass, its error domain")
def _(fake, client):
    fake = own_fake(fake, "qmp-errors")
    try:
        client = XenQmp.Client.new_for_socket(fake.path)
        ret, err = execute(client, "no-such-command")
        client.close()
    finally:
        fake.stop()
    assert ret is None
    assert err.matches(XenQmp.ErrorClass.quark(), XenQmp.ErrorClass.COMMAND_NOT_FOUND), err
    assert err.matches(XenQmp.error_quark(), XenQmp.ErrorClass.COMMAND_NOT_FOUND), err
    # The old name is the same quark.
    assert XenQmp.error_class_quark() == XenQmp.error_quark()
    # The typelib pairs the domain with the enumeration (glib:error-domain),
    # which GJS-style bindings use for matches(XenQmp.ErrorClass, ...).
    gi.require_version("GIRepository", "2.0")
    from gi.repository import GIRepository
    info = GIRepository.Repository.get_default().find_by_error_domain(XenQmp.error_quark())
    assert info is not None, "no enumeration is paired with XenQmp's error domain"
    assert (info.get_namespace(), info.get_name()) == ("XenQmp", "ErrorClass"), info.get_name()


@test("Gio.Initable.init connects; a failed one raises the connect error")
def _(fake, client):
    fake = own_fake(fake, "qmp-initable")
    try:
        other = XenQmp.Client(socket_path=fake.path)
        assert isinstance(other, Gio.Initable) and isinstance(other, Gio.AsyncInitable)
        assert other.init(None)
        assert other.props.connected
        ret, err = execute(other, "query-status")
        assert err is None, err
        other.close()
    finally:
        fake.stop()
    missing = XenQmp.Client(socket_path=fake.path + ".missing")
    try:
        missing.init(None)
        raise AssertionError("init connected to a missing socket")
    except GLib.Error as e:
        assert e.matches(Gio.io_error_quark(), Gio.IOErrorEnum.NOT_FOUND), e


@test("Gio.AsyncInitable.init_async connects")
def _(fake, client):
    fake = own_fake(fake, "qmp-async-initable")
    box = {}

    def done(source, result):
        try:
            box["ok"] = source.init_finish(result)
        except GLib.Error as e:
            box["err"] = e

    try:
        other = XenQmp.Client(socket_path=fake.path)
        other.init_async(GLib.PRIORITY_DEFAULT, None, done)
        run_until(lambda: box)
        assert box.get("ok") is True, box
        assert other.props.connected
        other.close()
    finally:
        fake.stop()



@test("reconnect: the client follows a QEMU that comes back, and says what it missed")
def _(fake, client):
    fake = own_fake(fake, "qmp-reconnect")
    gaps = []
    closed = []
    try:
        other = XenQmp.Client(socket_path=fake.path, reconnect=True)
        other.connect("event-gap", lambda c, since, until, why: gaps.append((since, until, why)))
        other.connect("closed", lambda c, reason: closed.append(reason))
        assert other.connect_sync(None)
        fake.stop()
        run_until(lambda: closed)
        assert not other.props.connected
        fake = own_fake(fake, "qmp-reconnect")
        run_until(lambda: other.props.connected and gaps)
        since, until, why = gaps[0]
        assert since < until, gaps
        assert "lost" in why, why
        assert len(closed) == 1, closed
        ret, err = execute(other, "query-status")
        assert err is None, err
        assert XenQmp.EVENT_GAP == "xen-qmp-gap"
        other.close()
    finally:
        fake.stop()

def main():
    tmp = tempfile.mkdtemp(prefix="xqmp-py-")
    fake = None
    try:
        sock = os.path.join(tmp, "qmp-libxl-1")
        fake = FakeQemu(sock)
        client = XenQmp.Client.new_for_socket(sock)
        for t in TESTS:
            t(fake, client)
    finally:
        if fake is not None and fake.proc.poll() is None:
            fake.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print("1..%d" % len(results))
    for i, (ok, name, why) in enumerate(results, 1):
        print("%s %d %s" % ("ok" if ok else "not ok", i, name))
        if why:
            print("# " + why)
    return 0 if all(ok for ok, _, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
