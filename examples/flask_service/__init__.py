"""A small Flask service: an app, two blueprints, a before_request hook in its own module."""
