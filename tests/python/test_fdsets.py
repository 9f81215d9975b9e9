#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Files through fdsets from Python: libxl's CD insert and device-state
save (Xen 4.17 libxl_disk.c cdrom_insert_addfd_cb, libxl_qmp.c
libxl__qmp_suspend_save) with XenQmp.Client.execute_with_fdsets_*,
against a real QEMU 7.2 (skipped, visibly, without one) and fake-qemu.

Prints TAP. Run by make check through tests/python-fdsets.test.
"""
import json
import os
import shutil
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
from gi.repository import Gio, GLib, Json, XenQmp  # noqa: E402

results = []


def wait_for_socket(path, proc):
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the server exited")
        try:
            if stat.S_ISSOCK(os.stat(path).st_mode):
                return
        except FileNotFoundError:
            pass
        time.sleep(0.01)
    raise RuntimeError("no socket at " + path)


def start_qemu(path):
    qemu = os.environ.get("QEMU_SYSTEM") or shutil.which("qemu-system-x86_64")
    if qemu is None:
        return None
    proc = subprocess.Popen(
        [qemu, "-M", "pc", "-nodefaults", "-display", "none",
         "-drive", "if=none,id=cd0,media=cdrom",
         "-device", "ide-cd,drive=cd0,id=cd0dev",
         "-qmp", "unix:%s,server=on,wait=off" % path],
        stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_socket(path, proc)
    return proc


def start_fake(path):
    proc = subprocess.Popen([os.environ["FAKE_QEMU"], "--socket", path, "--timeout", "300"])
    wait_for_socket(path, proc)
    return proc


# With the overrides (tests/python-fdsets.test puts the build tree's on
# sys.path), arguments are dicts and results plain values.
def run(client, command, arguments=None):
    return client.execute_sync(command, arguments, None, None)


def with_fdsets(client, command, arguments, path, flags):
    fd = os.open(path, flags | os.O_CLOEXEC, 0o600)
    fds = Gio.UnixFDList.new_from_array([fd])   # takes fd
    return client.execute_with_fdsets_sync(command, arguments, fds, None)


def open_fds():
    return sorted(os.listdir("/proc/self/fd"))


def check(name, func, *a):
    try:
        before = open_fds()
        skip = func(*a)
        # No descriptor of ours left: the list's dups and ours are closed.
        after = open_fds()
        assert after == before or len(after) <= len(before), (before, after)
        results.append((True, name, skip))
    except Exception as e:  # noqa: BLE001
        results.append((False, name, repr(e)))


def cd_insert(tmp, server):
    sock = os.path.join(tmp, "qmp-pc")
    proc = start_qemu(sock)
    if proc is None:
        return "SKIP no qemu-system-x86_64"
    try:
        iso = os.path.join(tmp, "cd.iso")
        with open(iso, "wb") as f:
            f.write(bytes(32768))
        client = XenQmp.Client.new_for_socket(sock)
        ret = with_fdsets(client, "blockdev-change-medium",
                          {"id": "cd0dev", "filename": "@fd", "read-only-mode": "read-only"},
                          iso, os.O_RDONLY)
        assert ret == {}, ret
        inserted = run(client, "query-block")[0]["inserted"]
        assert inserted["file"].startswith("/dev/fdset/") and inserted["ro"], inserted
        # Only QEMU's own dup, for the drive, is left in the fdset.
        assert [s["fds"] for s in run(client, "query-fdsets")] == [[]]
        run(client, "eject", {"id": "cd0dev"})
        assert run(client, "query-fdsets") == []
        client.close()
        del client
        return None
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def save(tmp, start, magic):
    sock = os.path.join(tmp, "qmp-save")
    proc = start(sock)
    if proc is None:
        return "SKIP no qemu-system-x86_64"
    try:
        state = os.path.join(tmp, "state.img")
        client = XenQmp.Client.new_for_socket(sock)
        ret = with_fdsets(client, "xen-save-devices-state",
                          {"filename": "@fd", "live": False},
                          state, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        assert ret == {}, ret
        # The guest runs: the removed fd is gone at once.
        assert run(client, "query-fdsets") == []
        with open(state, "rb") as f:
            data = f.read()
        assert len(data) > 0 and (magic is None or data[:4] == magic), data[:16]
        client.close()
        del client
        return None
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        os.unlink(sock) if os.path.exists(sock) else None


def placeholder_refused(tmp):
    sock = os.path.join(tmp, "qmp-fake")
    proc = start_fake(sock)
    try:
        client = XenQmp.Client.new_for_socket(sock)
        try:
            with_fdsets(client, "xen-save-devices-state", {"filename": "@fd1"},
                        "/dev/null", os.O_WRONLY)
            raise AssertionError("accepted @fd1 with one fd")
        except GLib.Error as e:
            assert e.matches(Gio.io_error_quark(), Gio.IOErrorEnum.INVALID_ARGUMENT), e
        client.close()
        del client
        return None
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main():
    # GLib opens two descriptors once per process, on first use (the
    # default context's wakeup, GTask's worker thread): before any check.
    GLib.MainContext.default().wakeup()
    Gio.Task.new(None, None, None, None)
    tmp = tempfile.mkdtemp(prefix="xqmp-py-fdsets-")
    try:
        check("qemu: libxl's CD insert, read-only, through an fdset", cd_insert, tmp, None)
        check("qemu: xen-save-devices-state into a new file through an fdset",
              save, tmp, start_qemu, b"QEVM")
        check("fake: xen-save-devices-state through an fdset", save, tmp, start_fake, None)
        check("fake: a placeholder naming no fd is refused", placeholder_refused, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("1..%d" % len(results))
    for i, (ok, name, why) in enumerate(results, 1):
        skip = ok and why
        print("%s %d %s%s" % ("ok" if ok else "not ok", i, name, " # " + why if skip else ""))
        if why and not ok:
            print("# " + why)
    return 0 if all(ok for ok, _, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
