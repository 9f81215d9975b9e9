#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Follows several Xen domains' QEMU events in one main loop (Python).

The same app as follow-events.c, through gi.repository.XenQmp:

    follow_events.py --run-dir DIR [--cycle] [--count N] [--timeout S] DOMID...
"""
import argparse
import json
import sys

import gi
gi.require_version("XenQmp", "1.0")
from gi.repository import GLib, XenQmp  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run-dir", help="where the qmp-libxl-DOMID sockets are")
    parser.add_argument("--cycle", action="store_true", help="pause and resume each domain once")
    parser.add_argument("--count", type=int, default=0, help="exit after N events")
    parser.add_argument("--timeout", type=int, default=0, help="exit after S seconds")
    parser.add_argument("domids", nargs="+", type=int)
    args = parser.parse_args()

    loop = GLib.MainLoop()
    state = {"seen": 0, "open": len(args.domids), "status": 0}
    host = XenQmp.Host.new(args.run_dir)
    clients = []

    # data is a dict (gi/overrides/XenQmp.py), or None for an event
    # without data, such as STOP.
    def on_event(client, name, data, timestamp_us, domid):
        if data is None:
            print("[domain %d] %s" % (domid, name), flush=True)
        else:
            print("[domain %d] %s %s" % (domid, name, json.dumps(data)), flush=True)
        state["seen"] += 1
        if args.count and state["seen"] == args.count:
            loop.quit()

    # The library's own messages already name the domain ("domain 1:
    # QEMU closed the connection"); QEMU's (a QMP error) do not.
    def on_closed(client, reason, domid):
        print(reason.message, flush=True)
        state["open"] -= 1
        if state["open"] == 0:
            loop.quit()

    def on_done(client, result, domid):
        try:
            client.execute_finish(result)
        except GLib.Error as e:
            if e.domain == GLib.quark_to_string(XenQmp.error_quark()):
                print("[domain %d] command failed: %s" % (domid, e.message))
            else:
                print(e.message)
            state["status"] = 1

    def on_connected(client, result, domid):
        try:
            client.connect_finish(result)
        except GLib.Error as e:
            print(e.message)
            state["status"] = 1
            on_closed(client, e, domid)
            return
        status = client.execute_sync("query-status")
        print("[domain %d] following events (%s)" % (domid, status["status"]), flush=True)
        if args.cycle:
            client.execute_async("stop", None, None, None, on_done, domid)
            client.execute_async("cont", None, None, None, on_done, domid)

    for domid in args.domids:
        client = XenQmp.Client.new_for_domain(host, domid)
        client.connect("event", on_event, domid)
        client.connect("closed", on_closed, domid)
        client.connect_async(None, on_connected, domid)
        clients.append(client)

    if args.timeout:
        def on_timeout():
            print("timeout: %d events seen" % state["seen"])
            if args.count:
                state["status"] = 1
            loop.quit()
        GLib.timeout_add_seconds(args.timeout, on_timeout)
    loop.run()
    return state["status"]


if __name__ == "__main__":
    sys.exit(main())
