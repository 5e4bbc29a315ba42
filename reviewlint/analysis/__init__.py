"""Shared analyses over nodes and the file context (retry loops, taint, responses ...).

They never walk a file: they look at the node a rule hands them (a loop, a function) and
cache their answer in ``context.memo`` so that several rules asking pay once.
"""
