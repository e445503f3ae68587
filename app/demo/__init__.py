"""Embedded servers that speak the provider APIs on loopback.

``app.demo.server.DemoServer`` runs the RingPlan REST + Socket.IO API (as described in
``shared/api-docs/002_c27cc177f1987a1c.txt``) on 127.0.0.1 with a seeded SQLite database,
an optional traffic generator and thread-safe controls for tests. ``python -m app.demo``
runs it standalone.
"""
