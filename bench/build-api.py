"""Times full builds through the HTTP API (bench/package.sh starts the server).

Creates an app from the playbook-basic template with one requirement, builds it once to fill
the dependency cache, then builds the same revision BENCH_BUILDS times, one after another, and
prints the client-observed time from POST to the final status (polled every 5 ms) and the
server's own queued-to-finished time, p50 and p90 (target: warm build <= 1 s).
"""
import json, os, time, urllib.request

URL = os.environ["BENCH_URL"]
BUILDS = int(os.environ.get("BENCH_BUILDS", "20"))


def call(method, path, body=None, cookie=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(URL + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if cookie:
        request.add_header("Cookie", cookie)
    with urllib.request.urlopen(request) as answer:
        return answer.headers, json.loads(answer.read() or b"null")


headers, _ = call("POST", "/api/v1/session", {"username": "admin", "password": "bench-admin-password"})
cookie = headers["Set-Cookie"].split(";")[0]
_, app = call("POST", "/api/v1/apps", {"name": "Bench Build", "template": "playbook-basic"}, cookie)
change = [{"op": "put", "path": "requirements.txt", "content": "six==1.16.0\n"}]
_, saved = call("POST", f"/api/v1/apps/{app['slug']}/commits", {"base": app["head"], "changes": change}, cookie)
rev = saved["revision"]


def build():
    start = time.perf_counter()
    _, queued = call("POST", f"/api/v1/apps/{app['slug']}/builds", {"rev": rev}, cookie)
    while True:
        _, b = call("GET", f"/api/v1/builds/{queued['id']}", None, cookie)
        if b["status"] in ("succeeded", "failed", "cancelled"):
            break
        time.sleep(0.005)
    took = (time.perf_counter() - start) * 1000
    if b["status"] != "succeeded":
        raise SystemExit(f"build failed: {b}")
    return took, b


def parse(ts):
    from datetime import datetime
    return datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp() * 1000


cold_ms, cold = build()
observed, server_side, steps = [], [], {}
for _ in range(BUILDS):
    took, b = build()
    observed.append(took)
    server_side.append(parse(b["finished_at"]) - parse(b["queued_at"]))
    for s in b["steps"]:
        steps.setdefault(s["name"], []).append(s["duration_ms"] or 0)


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


print(f"cold build (fills the dependency cache): {cold_ms:8.1f} ms")
print(f"warm build, client POST -> final status: p50 {pct(observed, 50):7.1f} ms  p90 {pct(observed, 90):7.1f} ms   (target: <= 1000 ms)")
print(f"warm build, server queued -> finished:  p50 {pct(server_side, 50):7.1f} ms  p90 {pct(server_side, 90):7.1f} ms")
print("warm build, per step p50: " + ", ".join(f"{name} {pct(v, 50):.0f} ms" for name, v in steps.items()))
print(f"package: {cold['package']['file_name']} {cold['package']['size']} bytes, python {cold['python']}")
