"""Pipeline files shared by the server tests and benchmarks."""

from __future__ import annotations

TWO_PIPELINES = """\
kind: pipeline
name: test
steps:
- name: unit
  image: golang:1.22
  commands: [go test ./...]
  environment:
    TOKEN: {from_secret: api_token}
---
kind: pipeline
name: publish
depends_on: [test]
node:
  disk: ssd
platform: {os: linux, arch: arm64}
steps:
- name: push
  image: plugins/docker
  settings:
    password: {from_secret: docker_password}
    repo: acme/widgets
image_pull_secrets: [dockerconfig]
trigger:
  branch: [main]
"""
"""`test`, then `publish` (depends on test; only on main); two secrets and a registry secret."""
