"""The REST API of `conveyor server` from a terminal or a script: HTTP only, no store, no git.

`ServerClient` sends requests with the token and turns every failure into one clear sentence
(`ServerRefusedError`, exit 1; `UnreachableError`, exit 2). Rendering is the CLI's business.
"""
