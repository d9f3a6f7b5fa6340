"""The Docker SDK for Python (docker 7.1; Debian's 5.0.3 passes too) used against wharf as its
documentation shows.

Run by test/e2e/clients-python.test.ts with DOCKER_HOST set to a test daemon that has
busybox loaded. Each check runs on its own and prints one JSON line:
{"check": name, "ok": bool, "error": text}; the vitest file expects every check by name.
Usage: python3 python_sdk.py [check ...]   (no names: all checks)
"""
import io
import json
import os
import sys
import tarfile
import tempfile
import time
import traceback

import docker
from docker import errors

client = docker.from_env(timeout=60)
api = client.api
PREFIX = os.environ.get("CHECK_PREFIX", "pysdk")
created = []  # containers to remove after each check


def name(suffix):
    return f"{PREFIX}-{suffix}"


def eq(got, want, what):
    if got != want:
        raise AssertionError(f"{what}: got {got!r}, want {want!r}")


def true(cond, what):
    if not cond:
        raise AssertionError(what)


def tar_of(files):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        for path, data in files.items():
            info = tarfile.TarInfo(path)
            info.size = len(data)
            info.mode = 0o644
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def untar(chunks):
    data = b"".join(chunks)
    out = {}
    with tarfile.open(fileobj=io.BytesIO(data)) as t:
        for m in t.getmembers():
            f = t.extractfile(m) if m.isfile() else None
            out[m.name] = f.read() if f else None
    return out


def track(c):
    created.append(c)
    return c


def check_ping_version_info():
    true(client.ping(), "ping")
    v = client.version()
    eq(v["ApiVersion"], "1.45", "ApiVersion")
    info = client.info()
    eq(info["Swarm"]["LocalNodeState"], "inactive", "Swarm.LocalNodeState")
    eq(info["DefaultRuntime"], "runc", "DefaultRuntime")
    true("runc" in info["Runtimes"], f"Runtimes has runc: {info['Runtimes']}")


def check_run_and_logs():
    out = client.containers.run("busybox", ["sh", "-c", "echo hello; echo oops >&2"], name=name("run"), remove=True)
    eq(out, b"hello\n", "run output (stdout only)")
    both = client.containers.run("busybox", ["sh", "-c", "echo a; echo b >&2"], stderr=True, remove=True)
    true(b"a\n" in both and b"b\n" in both, f"run with stderr: {both!r}")
    try:
        client.containers.run("busybox", ["sh", "-c", "echo bad >&2; exit 3"], remove=True)
        raise AssertionError("ContainerError expected")
    except errors.ContainerError as e:
        eq(e.exit_status, 3, "exit status")
        true(b"bad" in (e.stderr or b""), f"stderr in error: {e.stderr!r}")


def check_create_start_wait_logs():
    c = track(client.containers.create("busybox", ["sh", "-c", "echo one; echo two >&2; exit 7"], name=name("cswl")))
    eq(c.status, "created", "status after create")
    c.start()
    eq(c.wait(timeout=30), {"StatusCode": 7, "Error": None}, "wait")
    eq(c.logs(stdout=True, stderr=False), b"one\n", "stdout logs")
    eq(c.logs(stdout=False, stderr=True), b"two\n", "stderr logs")
    eq(c.logs(timestamps=False), b"one\ntwo\n", "both")
    c.reload()
    eq(c.status, "exited", "status after exit")
    eq(c.attrs["State"]["ExitCode"], 7, "ExitCode")
    got = client.containers.get(name("cswl"))
    eq(got.id, c.id, "get by name")
    eq(c.name, name("cswl"), "name")


def check_detached_logs_stream():
    c = track(client.containers.run("busybox", ["sh", "-c", "for i in 1 2 3; do echo line$i; sleep 0.2; done"], detach=True))
    lines = [l for l in c.logs(stream=True, follow=True)]
    eq(b"".join(lines), b"line1\nline2\nline3\n", "followed logs")
    eq(c.wait()["StatusCode"], 0, "exit")


def check_attach_before_wait():
    # Everything the container wrote reaches an attached client before wait answers.
    c = track(client.containers.create("busybox", ["sh", "-c", "i=0; while [ $i -lt 2000 ]; do echo line $i; i=$((i+1)); done"]))
    sock = c.attach(stdout=True, stderr=True, stream=True, logs=False)
    c.start()
    data = b"".join(sock)
    eq(c.wait()["StatusCode"], 0, "exit")
    eq(data.count(b"\n"), 2000, "lines delivered to the attached client")


def check_exec_run():
    c = track(client.containers.run("busybox", ["sleep", "60"], detach=True, environment={"FOO": "bar"}))
    r = c.exec_run(["sh", "-c", "echo $FOO; exit 4"])
    eq(r.exit_code, 4, "exec exit code")
    eq(r.output, b"bar\n", "exec output")
    r = c.exec_run(["sh", "-c", "echo o; echo e >&2"], demux=True)
    eq(r.output, (b"o\n", b"e\n"), "demuxed")
    r = c.exec_run("pwd", workdir="/tmp")
    eq(r.output, b"/tmp\n", "workdir")
    r = c.exec_run(["id", "-u"], user="65534:65534")
    eq(r.output.strip(), b"65534", "user")
    r = c.exec_run(["sh", "-c", "echo $X"], environment={"X": "y"})
    eq(r.output, b"y\n", "exec env")
    r = c.exec_run(["tty"], tty=True)
    eq(r.exit_code, 0, f"tty exec: {r.output!r}")
    true(r.output.startswith(b"/dev/pts/"), f"tty output {r.output!r}")
    r = c.exec_run(["/no/such/binary"])
    eq(r.exit_code, 126, f"missing binary exit code ({r.output!r})")
    true(b"no such file or directory" in r.output, f"missing binary message {r.output!r}")
    r = c.exec_run(["sh", "-c", "for i in 1 2 3; do echo $i; done"], stream=True)
    eq(b"".join(r.output), b"1\n2\n3\n", "streamed exec")
    c.kill()
    eq(c.wait()["StatusCode"], 137, "killed")


def check_exec_low_level():
    c = track(client.containers.run("busybox", ["sleep", "60"], detach=True))
    e = api.exec_create(c.id, ["sh", "-c", "exit 5"])
    api.exec_start(e["Id"])
    ins = api.exec_inspect(e["Id"])
    eq(ins["ExitCode"], 5, "exec inspect ExitCode")
    eq(ins["Running"], False, "exec inspect Running")
    eq(ins["ContainerID"], c.id, "exec ContainerID")
    e = api.exec_create(c.id, ["cat"], stdin=True, tty=True, detach_keys="ctrl-x")
    eq(api.exec_inspect(e["Id"])["ProcessConfig"]["tty"], True, "tty in ProcessConfig")
    c.kill()


def check_kill_signal_remove():
    c = track(client.containers.run("busybox", ["sh", "-c", "trap 'exit 42' USR1; while true; do sleep 0.1; done"], detach=True))
    time.sleep(0.5)
    c.kill(signal="SIGUSR1")
    eq(c.wait(timeout=30)["StatusCode"], 42, "trapped signal exit")
    c.remove()
    try:
        client.containers.get(c.id)
        raise AssertionError("container still there")
    except errors.NotFound:
        pass
    r = client.containers.run("busybox", ["sleep", "60"], detach=True)
    try:
        r.remove()
        raise AssertionError("removing a running container must fail")
    except errors.APIError as e:
        eq(e.status_code, 409, "status of removing a running container")
    r.remove(force=True)


def check_archive():
    c = track(client.containers.create("busybox", ["sh", "-c", "cat /tmp/in/hello.txt > /tmp/out.txt"]))
    true(c.put_archive("/tmp", tar_of({"in/hello.txt": b"hi there\n"})), "put_archive")
    stream, stat = c.get_archive("/tmp/in/hello.txt")
    eq(stat["name"], "hello.txt", "stat name")
    eq(stat["size"], 9, "stat size")
    eq(untar(stream)["hello.txt"], b"hi there\n", "archive before start")
    c.start()
    eq(c.wait()["StatusCode"], 0, "exit")
    stream, stat = c.get_archive("/tmp/out.txt")
    eq(untar(stream)["out.txt"], b"hi there\n", "archive after exit")
    try:
        c.get_archive("/nope")
        raise AssertionError("NotFound expected")
    except errors.NotFound:
        pass


def check_archive_mounts():
    # The archive endpoints see volumes and binds, before start and after exit.
    vol = client.volumes.create(name("arvol"))
    host = tempfile.mkdtemp(prefix="pysdk-bind-")
    with open(os.path.join(host, "from-host"), "w") as f:
        f.write("host file\n")
    try:
        c = track(client.containers.create(
            "busybox", ["sh", "-c", "cat /vol/put > /vol/copied; echo made > /bind/made"],
            volumes={vol.name: {"bind": "/vol", "mode": "rw"}, host: {"bind": "/bind", "mode": "rw"}}))
        true(c.put_archive("/vol", tar_of({"put": b"into volume\n"})), "put into volume before start")
        stream, _ = c.get_archive("/bind/from-host")
        eq(untar(stream)["from-host"], b"host file\n", "bind read before start")
        c.start()
        eq(c.wait()["StatusCode"], 0, "exit")
        stream, _ = c.get_archive("/vol/copied")
        eq(untar(stream)["copied"], b"into volume\n", "volume read after exit")
        stream, _ = c.get_archive("/bind/made")
        eq(untar(stream)["made"], b"made\n", "bind read after exit")
        true(c.put_archive("/bind", tar_of({"put-after": b"x"})), "put into bind after exit")
        eq(open(os.path.join(host, "put-after")).read(), "x", "file put into the bind is on the host")
    finally:
        while created:
            created.pop().remove(force=True)
        vol.remove(force=True)


def check_wait_restart_policy():
    # wait answers at the first exit even when the restart policy starts it again.
    c = track(client.containers.run("busybox", ["sh", "-c", "sleep 0.3; exit 3"], detach=True,
                                    restart_policy={"Name": "on-failure", "MaximumRetryCount": 2}))
    eq(c.wait(timeout=30)["StatusCode"], 3, "first exit")
    c.stop(timeout=1)


def check_runtime():
    c = track(client.containers.create("busybox", ["true"], runtime="runc"))
    eq(c.attrs["HostConfig"]["Runtime"], "runc", "HostConfig.Runtime")
    d = track(client.containers.create("busybox", ["true"]))
    eq(d.attrs["HostConfig"]["Runtime"], "runc", "default runtime")


def check_networks():
    net = client.networks.create(name("net"), driver="bridge", labels={"a": "b"})
    other = client.networks.create(name("net2"))
    try:
        eq(net.attrs["Labels"], {"a": "b"}, "labels")
        got = client.networks.get(net.id)
        eq(got.name, name("net"), "get network")
        true(any(n.id == net.id for n in client.networks.list(names=[name("net")])), "listed")
        # The low-level create, as SDKs older than 7 had no networking_config in run().
        sid = api.create_container("busybox", ["sleep", "60"], host_config=api.create_host_config(network_mode=name("net")),
                                   networking_config=api.create_networking_config({name("net"): api.create_endpoint_config(aliases=["svc"])}))["Id"]
        server = track(client.containers.get(sid))
        server.start()
        server.reload()
        ep = server.attrs["NetworkSettings"]["Networks"][name("net")]
        true("svc" in (ep["Aliases"] or []), f"alias given at create: {ep['Aliases']}")
        true(ep["IPAddress"], "an address on the network")
        c = track(client.containers.run("busybox", ["sleep", "60"], detach=True, network=name("net")))
        r = c.exec_run(["nslookup", "svc"])
        true(ep["IPAddress"].encode() in r.output, f"alias resolves to {ep['IPAddress']}: {r.output!r}")
        net.reload()
        eq(sorted(x.id for x in net.containers), sorted([server.id, c.id]), "containers on the network")
        other.connect(c, aliases=["second"])
        c.reload()
        ep2 = c.attrs["NetworkSettings"]["Networks"][name("net2")]
        true("second" in (ep2["Aliases"] or []), f"alias given at connect: {ep2['Aliases']}")
        true(ep2["IPAddress"], "an address on the connected network")
        r = c.exec_run(["ip", "-4", "-o", "addr"])
        true(ep2["IPAddress"].encode() in r.output, f"the address is in the container: {r.output!r}")
        other.disconnect(c)
        c.reload()
        true(name("net2") not in c.attrs["NetworkSettings"]["Networks"], "disconnected")
        r = c.exec_run(["ip", "-4", "-o", "addr"])
        true(ep2["IPAddress"].encode() not in r.output, f"the address left the container: {r.output!r}")
        for x in (server, c):
            x.remove(force=True)
            created.remove(x)
    finally:
        for n in (net, other):
            try:
                n.remove()
            except errors.APIError:
                pass
    try:
        client.networks.get(name("net"))
        raise AssertionError("network still there")
    except errors.NotFound:
        pass
    pruned = client.networks.prune()
    true("NetworksDeleted" in pruned, f"prune answer {pruned}")


def check_volumes():
    v = client.volumes.create(name("vol"), labels={"k": "v"})
    eq(v.attrs["Labels"], {"k": "v"}, "labels")
    eq(v.attrs["Driver"], "local", "driver")
    true(any(x.name == v.name for x in client.volumes.list()), "listed")
    eq(client.containers.run("busybox", ["sh", "-c", "echo data > /v/f"], volumes={v.name: {"bind": "/v"}}, remove=True), b"", "write")
    eq(client.containers.run("busybox", ["cat", "/v/f"], volumes=[f"{v.name}:/v:ro"], remove=True), b"data\n", "read")
    eq(client.volumes.get(v.name).name, v.name, "get")
    v.remove()
    anon = client.volumes.create()
    client.containers.run("busybox", ["sh", "-c", "head -c 100000 /dev/zero > /v/f"], volumes={anon.name: {"bind": "/v"}}, remove=True)
    pruned = client.volumes.prune()
    true(anon.name in (pruned["VolumesDeleted"] or []), f"anonymous volume pruned: {pruned}")
    true(pruned["SpaceReclaimed"] >= 100000, f"SpaceReclaimed {pruned['SpaceReclaimed']}")


def check_images():
    imgs = client.images.list()
    bb = client.images.get("busybox")
    true(any(i.id == bb.id for i in imgs), "busybox listed")
    true("busybox:latest" in bb.tags, f"tags {bb.tags}")
    true(bb.tag(name("img"), "v1"), "tag")
    bb.reload()
    true(f"{name('img')}:v1" in bb.tags, f"tags after tag {bb.tags}")
    eq(client.images.get(f"{name('img')}:v1").id, bb.id, "get by new tag")
    saved = b"".join(client.images.get(f"{name('img')}:v1").save(named=f"{name('img')}:v1"))
    with tarfile.open(fileobj=io.BytesIO(saved)) as t:
        names = t.getnames()
    true("manifest.json" in names, f"saved archive {names}")
    client.images.remove(f"{name('img')}:v1")
    loaded = client.images.load(saved)
    eq([i.id for i in loaded], [bb.id], "loaded image")
    eq(client.images.get(f"{name('img')}:v1").id, bb.id, "tag back after load")
    client.images.remove(f"{name('img')}:v1")
    hist = bb.history()
    true(len(hist) >= 1 and "CreatedBy" in hist[0], "history")
    pruned = client.images.prune()
    true("SpaceReclaimed" in pruned, f"prune answer {pruned}")
    # A bad archive: the SDK finds dockerd's errorDetail in the 200 stream and raises.
    try:
        client.images.load(b"this is not an image archive")
        raise AssertionError("ImageLoadError expected")
    except errors.ImageLoadError as e:
        true(str(e), "a message")
    try:
        client.images.get("no-such-image:nope")
        raise AssertionError("NotFound expected")
    except errors.ImageNotFound:
        pass


def check_image_prune_reclaims():
    # A committed image that nothing uses: dangling prune frees what it took.
    c = client.containers.run("busybox", ["sh", "-c", "head -c 300000 /dev/urandom > /big"], detach=True)
    c.wait()
    img = c.commit()
    c.remove()
    pruned = client.images.prune(filters={"dangling": True})
    deleted = [d.get("Deleted") for d in (pruned["ImagesDeleted"] or [])]
    true(img.id in deleted, f"committed image deleted: {pruned}")
    true(pruned["SpaceReclaimed"] >= 300000, f"SpaceReclaimed {pruned['SpaceReclaimed']}")


def check_container_prune():
    c = client.containers.run("busybox", ["sh", "-c", "head -c 200000 /dev/zero > /f"], detach=True)
    c.wait()
    pruned = client.containers.prune(filters={"until": "24h"})
    true(c.id not in (pruned["ContainersDeleted"] or []), f"a new container is kept by until=24h: {pruned}")
    pruned = client.containers.prune()
    true(c.id in (pruned["ContainersDeleted"] or []), f"pruned {pruned}")
    true(pruned["SpaceReclaimed"] >= 200000, f"SpaceReclaimed {pruned['SpaceReclaimed']}")


def check_swarm_and_plugins():
    eq(client.plugins.list(), [], "plugins")
    try:
        client.swarm.reload()
        raise AssertionError("swarm inspect must fail on a non-swarm engine")
    except errors.APIError as e:
        eq(e.status_code, 503, "swarm status")
        true("This node is not a swarm manager" in str(e.explanation), f"message {e.explanation}")
    for call in (client.services.list, client.nodes.list, client.secrets.list, client.configs.list):
        try:
            call()
            raise AssertionError(f"{call} must fail")
        except errors.APIError as e:
            eq(e.status_code, 503, f"{call} status")
    try:
        client.swarm.leave()
        raise AssertionError("leave must fail")
    except errors.APIError as e:
        eq(e.status_code, 503, "leave status")
        true("This node is not part of a swarm" in str(e.explanation), f"message {e.explanation}")


def check_container_misc():
    c = track(client.containers.run("busybox", ["sleep", "60"], detach=True, name=name("misc"), labels={"role": "misc"}))
    top = c.top()
    true("Titles" in top and any("sleep" in " ".join(p) for p in top["Processes"]), f"top {top}")
    st = c.stats(stream=False)
    true("memory_stats" in st and "cpu_stats" in st, f"stats keys {sorted(st)}")
    eq(client.containers.list(filters={"label": "role=misc"})[0].id, c.id, "list by label")
    eq(client.containers.list(filters={"name": name("misc")})[0].id, c.id, "list by name")
    c.exec_run(["sh", "-c", "echo x > /new"])
    true({"Path": "/new", "Kind": 1} in (c.diff() or []), f"diff {c.diff()}")
    c.pause()
    c.reload()
    eq(c.status, "paused", "paused")
    c.unpause()
    c.reload()
    eq(c.status, "running", "unpaused")
    c.rename(name("misc2"))
    c.reload()
    eq(c.name, name("misc2"), "renamed")
    c.update(mem_limit="64m", memswap_limit="128m")
    c.reload()
    eq(c.attrs["HostConfig"]["Memory"], 64 * 1024 * 1024, "updated memory")
    started = c.attrs["State"]["StartedAt"]
    c.restart(timeout=1)
    c.reload()
    true(c.attrs["State"]["StartedAt"] != started and c.status == "running", "restarted")
    img = c.commit(repository=name("committed"), tag="v1", changes=["ENV FROM_COMMIT=1"])
    true("FROM_COMMIT=1" in img.attrs["Config"]["Env"], f"commit env {img.attrs['Config']['Env']}")
    exported = b"".join(c.export())
    with tarfile.open(fileobj=io.BytesIO(exported)) as t:
        true("new" in t.getnames() or "./new" in t.getnames(), "exported tar has the new file")
    since = int(time.time()) - 1
    c.kill()
    c.wait()
    evs = list(client.events(since=since, until=int(time.time()) + 1, decode=True, filters={"container": c.id}))
    true(any(e.get("status") == "die" or e.get("Action") == "die" for e in evs), f"die event in {[e.get('Action') for e in evs]}")
    client.images.remove(img.id, force=True)


def check_attach_socket_stdin():
    # docker-py's interactive attach: a raw socket to write stdin to and read frames from.
    c = track(client.containers.create("busybox", ["sh", "-c", "read line; echo got $line"], stdin_open=True))
    sock = c.attach_socket(params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1})
    c.start()
    sock._sock.sendall(b"hello\n")
    data = b""
    sock._sock.settimeout(10)
    while b"got hello" not in data:
        chunk = sock._sock.recv(4096)
        if not chunk:
            break
        data += chunk
    sock.close()
    true(b"got hello" in data, f"attach output {data!r}")
    eq(c.wait(timeout=30)["StatusCode"], 0, "exit")


def check_auto_remove():
    c = client.containers.run("busybox", ["sh", "-c", "sleep 1; echo bye"], detach=True, auto_remove=True)
    eq(c.wait(condition="removed", timeout=30)["StatusCode"], 0, "wait removed")
    try:
        client.containers.get(c.id)
        raise AssertionError("auto-removed container still there")
    except errors.NotFound:
        pass


def check_run_options():
    import datetime
    import socket as pysocket
    import urllib.request
    from docker.types import Mount, Healthcheck
    s = pysocket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    host = tempfile.mkdtemp(prefix="pysdk-mnt-")
    c = track(client.containers.run(
        "busybox", ["sh", "-c", "mkdir -p /www && echo served > /www/index.html && exec httpd -f -p 80 -h /www"],
        detach=True, ports={"80/tcp": ("127.0.0.1", port)}, mounts=[Mount("/m", host, type="bind")],
        healthcheck=Healthcheck(test=["CMD", "true"], interval=200_000_000, start_period=0), hostname="pyhost",
        working_dir="/tmp", environment=["A=1"], labels={"l": "v"}, tty=False))
    c.reload()
    eq(c.ports["80/tcp"], [{"HostIp": "127.0.0.1", "HostPort": str(port)}], "ports")
    body = None
    for _ in range(50):
        try:
            body = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read()
            break
        except OSError:
            time.sleep(0.1)
    eq(body, b"served\n", "published port")
    for _ in range(50):
        c.reload()
        if c.attrs["State"].get("Health", {}).get("Status") == "healthy":
            break
        time.sleep(0.1)
    eq(c.attrs["State"]["Health"]["Status"], "healthy", "health")
    eq(c.exec_run("hostname").output, b"pyhost\n", "hostname")
    c.exec_run(["sh", "-c", "echo m > /m/f"])
    eq(open(os.path.join(host, "f")).read(), "m\n", "bind mount")
    stream, stat = c.get_archive("/www")
    files = untar(stream)
    eq(files.get("www/index.html"), b"served\n", f"directory archive {list(files)}")
    t = track(client.containers.run("busybox", ["sh", "-c", "echo one; sleep 2.5; echo two"], detach=True, tty=True))
    t.wait()
    eq(t.logs(), b"one\r\ntwo\r\n", "tty logs")
    # docker-py sends a datetime as whole seconds: 1.2 s back lands between the lines.
    later = datetime.datetime.utcnow() - datetime.timedelta(seconds=1.2)
    eq(t.logs(since=later), b"two\r\n", "logs since a datetime")
    eq(t.logs(tail=1), b"two\r\n", "logs tail")
    import re
    stamped = t.logs(timestamps=True)
    true(re.fullmatch(rb"\d{4}-\d\d-\d\dT[\d:.]+Z one\r\n\d{4}-\d\d-\d\dT[\d:.]+Z two\r\n", stamped), f"timestamps {stamped!r}")


def check_df():
    df = client.df()
    for k in ("LayersSize", "Images", "Containers", "Volumes", "BuildCache"):
        true(k in df, f"df has {k}")


CHECKS = {k[len("check_"):]: v for k, v in globals().items() if k.startswith("check_")}


def main(argv):
    wanted = argv or list(CHECKS)
    for n in wanted:
        try:
            CHECKS[n]()
            print(json.dumps({"check": n, "ok": True}), flush=True)
        except Exception as e:  # noqa: BLE001 - every failure is reported, by name
            print(json.dumps({"check": n, "ok": False, "error": f"{type(e).__name__}: {e}\n{traceback.format_exc()}"}), flush=True)
        finally:
            while created:
                c = created.pop()
                try:
                    c.remove(force=True)
                except Exception:  # noqa: BLE001 - gone already
                    pass


if __name__ == "__main__":
    main(sys.argv[1:])
