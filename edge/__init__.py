"""The Envoy edge: configuration template, renderer and API docs routes."""
