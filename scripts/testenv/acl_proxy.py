"""A basic-auth registry front with per-user access rules, for the private-cache tests.

Distribution's htpasswd auth lets every valid user read every repository, so "valid
credentials of a user without access to that repository" cannot exist there. This proxy
checks HTTP basic credentials itself (the full user may read everything, the other user
only repositories under `other/`) and forwards allowed requests to the basic-auth registry
with the full user's credentials. Pull-only (GET/HEAD); stdlib only; loopback only.

    python3 acl_proxy.py BIND PORT UPSTREAM_HOST:PORT   (users from TESTENV_* variables)
"""

import base64
import http.client
import http.server
import json
import os
import re
import sys

BIND, PORT, UPSTREAM = sys.argv[1], int(sys.argv[2]), sys.argv[3]
FULL_USER = os.environ["TESTENV_USER"]
USERS = {
    FULL_USER: os.environ["TESTENV_PASSWORD"],
    os.environ["TESTENV_OTHER_USER"]: os.environ["TESTENV_OTHER_PASSWORD"],
}
UPSTREAM_AUTH = "Basic " + base64.b64encode(
    f"{FULL_USER}:{USERS[FULL_USER]}".encode()
).decode()
REPO_RE = re.compile(r"^/v2/(.+?)/(manifests|blobs|tags)/")
PASS_HEADERS = (
    "Content-Type",
    "Content-Length",
    "Docker-Content-Digest",
    "Docker-Distribution-Api-Version",
    "ETag",
    "Location",
)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _error(self, code, err, message, challenge=False):
        body = json.dumps({"errors": [{"code": err, "message": message}]}).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Docker-Distribution-Api-Version", "registry/2.0")
        if challenge:
            self.send_header("WWW-Authenticate", 'Basic realm="testenv-acl"')
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _user(self):
        authz = self.headers.get("Authorization", "")
        if not authz.startswith("Basic "):
            return None
        try:
            name, _, password = base64.b64decode(authz[6:]).decode().partition(":")
        except ValueError:
            return None
        return name if USERS.get(name) == password else None

    def _handle(self):
        user = self._user()
        if user is None:
            return self._error(401, "UNAUTHORIZED", "authentication required", challenge=True)
        match = REPO_RE.match(self.path)
        if match and user != FULL_USER and not match.group(1).startswith("other/"):
            return self._error(403, "DENIED", "requested access to the resource is denied")
        upstream = http.client.HTTPConnection(UPSTREAM, timeout=60)
        headers = {"Authorization": UPSTREAM_AUTH}
        for name in ("Accept", "Range"):
            for value in self.headers.get_all(name) or ():
                headers[name] = value if name not in headers else headers[name] + ", " + value
        upstream.request(self.command, self.path, headers=headers)
        resp = upstream.getresponse()
        self.send_response(resp.status)
        for name in PASS_HEADERS:
            value = resp.getheader(name)
            if value is not None:
                if name == "Location":
                    value = value.replace(f"http://{UPSTREAM}", f"http://{BIND}:{PORT}")
                self.send_header(name, value)
        if resp.getheader("Content-Length") is None:
            self.send_header("Content-Length", "0")
        self.end_headers()
        if self.command != "HEAD":
            while chunk := resp.read(65536):
                self.wfile.write(chunk)
        upstream.close()
        return None

    do_GET = _handle
    do_HEAD = _handle

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.log_date_time_string(), fmt % args))


http.server.ThreadingHTTPServer((BIND, PORT), Handler).serve_forever()
