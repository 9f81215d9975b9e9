# SPDX-License-Identifier: LGPL-2.1-or-later
"""PyGObject overrides for XenQmp: QMP values as plain Python values.

Loaded by ``from gi.repository import XenQmp`` (PyGObject finds this file in
any ``gi/overrides`` directory on ``sys.path``). With it:

- ``Client.execute_finish`` and ``Client.execute_sync`` return QEMU's
  ``return`` value as ``dict``/``list``/``str``/``int``/``float``/``bool``/
  ``None``; ``execute_finish_node`` and ``execute_sync_node`` still give the
  ``Json.Node``;
- the ``event`` signal's data is a ``dict`` (``None`` when the event has no
  data), whose ``json_object`` attribute is the ``Json.Object``;
- command arguments (``execute_async``, ``execute_full_async``,
  ``execute_sync``, ``Schema.validate_command``) may be a ``dict`` as well
  as a ``Json.Object``.
"""
import json

import gi
from ..module import get_introspection_module
from ..overrides import override

gi.require_version("Json", "1.0")
from gi.repository import Json  # noqa: E402

XenQmp = get_introspection_module("XenQmp")

__all__ = []


def _node_to_value(node):
    """A Json.Node (or None) as the plain Python value it holds."""
    if node is None:
        return None
    return json.loads(Json.to_string(node, False))


def _object_to_value(obj):
    if obj is None:
        return None
    node = Json.Node.new(Json.NodeType.OBJECT)
    node.set_object(obj)
    return _node_to_value(node)


def _to_json_object(arguments):
    """Command arguments: None, a Json.Object, or a mapping of JSON values."""
    if arguments is None or isinstance(arguments, Json.Object):
        return arguments
    if not isinstance(arguments, dict):
        raise TypeError("arguments must be a dict, a Json.Object or None, not %s"
                        % type(arguments).__name__)
    # allow_nan=False: NaN and infinities are not JSON, and QEMU refuses them.
    text = json.dumps(arguments, allow_nan=False, ensure_ascii=False)
    return Json.from_string(text).get_object()


class EventData(dict):
    """An event's ``data`` member as a dict. ``json_object`` is the
    ``Json.Object`` the signal carried; its methods (``get_string_member``
    and the rest) still work on the dict."""

    def __init__(self, obj):
        super().__init__(_object_to_value(obj))
        self.json_object = obj

    def __getattr__(self, name):
        if name == "json_object":
            raise AttributeError(name)
        return getattr(self.json_object, name)


__all__.append("EventData")


def _is_event_signal(detailed_signal):
    return detailed_signal == "event" or detailed_signal.startswith("event::")


def _event_handler(handler):
    """HANDLER, called with the event data (argument 3) as an EventData."""
    def on_event(instance, name, data, *rest):
        return handler(instance, name, EventData(data) if data is not None else None, *rest)
    on_event.__wrapped__ = handler
    return on_event


class Client(XenQmp.Client):
    """A QMP client (see ``XenQmp.Client`` in the API reference); values
    come and go as plain Python values."""

    def execute_async(self, command, arguments=None, fd_list=None, cancellable=None,
                      callback=None, *user_data):
        return super().execute_async(command, _to_json_object(arguments), fd_list,
                                     cancellable, callback, *user_data)

    def execute_full_async(self, command, arguments, fd_list, flags, timeout_ms,
                           cancellable=None, callback=None, *user_data):
        return super().execute_full_async(command, _to_json_object(arguments), fd_list,
                                          flags, timeout_ms, cancellable, callback,
                                          *user_data)

    def execute_finish(self, result):
        """QEMU's ``return`` value as a plain Python value."""
        return _node_to_value(super().execute_finish(result))

    def execute_finish_node(self, result):
        """QEMU's ``return`` value as the ``Json.Node``."""
        return super().execute_finish(result)

    def execute_sync(self, command, arguments=None, fd_list=None, cancellable=None):
        """Runs COMMAND and returns its ``return`` value as a plain value."""
        return _node_to_value(self.execute_sync_node(command, arguments, fd_list,
                                                     cancellable))

    def execute_sync_node(self, command, arguments=None, fd_list=None, cancellable=None):
        """Runs COMMAND and returns its ``return`` value as the ``Json.Node``."""
        return super().execute_sync(command, _to_json_object(arguments), fd_list,
                                    cancellable)

    def execute_with_fdsets_async(self, command, arguments, fd_list, cancellable=None,
                                  callback=None, *user_data):
        return super().execute_with_fdsets_async(command, _to_json_object(arguments),
                                                 fd_list, cancellable, callback, *user_data)

    def execute_with_fdsets_finish(self, result):
        """QEMU's ``return`` value as a plain Python value."""
        return _node_to_value(super().execute_with_fdsets_finish(result))

    def execute_with_fdsets_finish_node(self, result):
        """QEMU's ``return`` value as the ``Json.Node``."""
        return super().execute_with_fdsets_finish(result)

    def execute_with_fdsets_sync(self, command, arguments, fd_list, cancellable=None):
        """Runs COMMAND with FD_LIST's files in fdsets ("@fd", "@fd0"...)
        and returns its ``return`` value as a plain value."""
        return _node_to_value(self.execute_with_fdsets_sync_node(command, arguments,
                                                                 fd_list, cancellable))

    def execute_with_fdsets_sync_node(self, command, arguments, fd_list, cancellable=None):
        """The same, returning the ``Json.Node``."""
        return super().execute_with_fdsets_sync(command, _to_json_object(arguments),
                                                fd_list, cancellable)

    def connect(self, detailed_signal, handler, *args):
        if _is_event_signal(detailed_signal):
            handler = _event_handler(handler)
        return super().connect(detailed_signal, handler, *args)

    def connect_after(self, detailed_signal, handler, *args):
        if _is_event_signal(detailed_signal):
            handler = _event_handler(handler)
        return super().connect_after(detailed_signal, handler, *args)


Client = override(Client)
__all__.append("Client")


class Schema(XenQmp.Schema):
    def validate_command(self, command, arguments=None):
        return super().validate_command(command, _to_json_object(arguments))


Schema = override(Schema)
__all__.append("Schema")
