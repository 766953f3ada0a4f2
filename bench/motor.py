"""The Motor 2.3 client of motor's side-by-side benchmark (bench/, issue 12).

Run by `go run ./bench` with Debian's /usr/bin/python3 and python3-motor, one process per workload; prints one
JSON line with the fields of the Go harness's result (bench/measure.go). The workloads and their database names
are bench/workloads.go's. Motor has no dereference-many: deref_many is one find with $in, as a Motor user writes it.
"""

import argparse
import asyncio
import io
import json
import math
import os
import re
import resource
import sys
import time

# This file is named motor.py: keep its own directory off the import path, or "import motor" finds this file.
_here = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _here]

import motor.motor_asyncio  # noqa: E402
from bson import json_util  # noqa: E402
from bson.dbref import DBRef  # noqa: E402

DB_PING, DB_LIST, DB_REF, DB_SPEC, DB_WRITE = "bench", "bench_list", "bench_ref", "bench_spec", "bench_w"
DB_FILES = "bench_gridfs"
LIST_COLLECTIONS = 50
PIPELINE = [
    {"$match": {"g": {"$lt": 5}}},
    {"$group": {"_id": "$g", "n": {"$sum": 1}}},
    {"$sort": {"_id": 1}},
]


def go_duration(s):
    """Seconds in a Go duration string such as 500ms, 2s or 1m0s."""
    units = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
    total = 0.0
    for value, unit in re.findall(r"([0-9.]+)(ns|us|µs|ms|s|m|h)", s):
        total += float(value) * units[unit]
    return total


def cpu_seconds():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def nearest_rank(sorted_ns, p):
    if not sorted_ns:
        return 0
    return sorted_ns[max(math.ceil(len(sorted_ns) * p / 100) - 1, 0)]


async def run_loop(op, conc, seconds, max_ops, lat):
    state = {"next": 0}
    deadline = time.perf_counter() + seconds

    async def worker():
        while True:
            i = state["next"]
            state["next"] += 1
            if i >= max_ops or (i > 0 and time.perf_counter() > deadline):
                return
            t = time.perf_counter_ns()
            await op(i)
            if lat is not None:
                lat.append(time.perf_counter_ns() - t)

    await asyncio.gather(*(worker() for _ in range(conc)))


def load(data, name):
    with open(os.path.join(data, name)) as f:
        return json_util.loads(f.read())


async def make_op(a, client):
    w = a.workload.split("+")[0]
    refs = list(range(a.refs))

    async def write_coll():
        coll = client[DB_WRITE][w + "_" + a.tag]
        await coll.drop()
        return coll

    if w in ("ping", "ping_64"):
        db = client[DB_PING]
        return lambda i: db.command("ping")
    if w == "list_collection_names":
        db = client[DB_LIST]

        async def op(i):
            names = await db.list_collection_names()
            assert len(names) == LIST_COLLECTIONS, len(names)
        return op
    if w == "create_drop":
        db, name = client[DB_WRITE], w + "_" + a.tag
        await db.drop_collection(name)

        async def op(i):
            await db.create_collection(name)
            await db.drop_collection(name)
        return op
    if w == "dereference":
        db = client[DB_REF]

        async def op(i):
            assert await db.dereference(DBRef("refs", refs[i % len(refs)])) is not None
        return op
    if w == "deref_single":
        db = client[DB_REF]

        async def op(i):
            for r in refs:
                assert await db.dereference(DBRef("refs", r)) is not None
        return op
    if w == "deref_many":
        coll = client[DB_REF]["refs"]

        async def op(i):
            docs = await coll.find({"_id": {"$in": refs}}).to_list(None)
            assert len(docs) == len(refs)
        return op
    if w == "insert_one":
        coll = await write_coll()
        return lambda i: coll.insert_one({"i": i})
    if w == "aggregate":
        coll = client[DB_REF]["agg"]

        async def op(i):
            docs = await coll.aggregate(PIPELINE).to_list(None)
            assert len(docs) == 5
        return op
    if w == "find_one_by_id":
        coll = client[DB_SPEC]["corpus"]

        async def op(i):
            assert await coll.find_one({"_id": i % a.corpus + 1}) is not None
        return op
    if w == "find_many":
        coll = client[DB_SPEC]["corpus"]

        async def op(i):
            docs = await coll.find({}).to_list(None)
            assert len(docs) == a.corpus
        return op
    if w in ("small_insert_one", "large_insert_one"):
        doc = load(a.data, "small_doc.json" if w == "small_insert_one" else "large_doc.json")
        coll = await write_coll()
        # insert_one adds _id to the dict it is given, so each insert gets a shallow copy.
        return lambda i: coll.insert_one(dict(doc))
    if w in ("small_bulk_insert", "large_bulk_insert"):
        small = w == "small_bulk_insert"
        doc = load(a.data, "small_doc.json" if small else "large_doc.json")
        n = a.bulk_small if small else a.bulk_large
        coll = await write_coll()
        return lambda i: coll.insert_many([dict(doc) for _ in range(n)])
    if w.startswith("gridfs_"):
        # Motor's GridFS bucket, one per client and workload, emptied first; the file is a bytes pattern, uploaded
        # from an in-memory stream and downloaded to a sink that drops what it is given.
        size = a.file_mib << 20
        data = bytes(range(256)) * (size // 256)
        db = client[DB_FILES]
        name = w + "_" + a.tag
        await db.drop_collection(name + ".files")
        await db.drop_collection(name + ".chunks")
        bucket = motor.motor_asyncio.AsyncIOMotorGridFSBucket(db, bucket_name=name)
        if w.startswith("gridfs_upload"):
            async def op(i):
                await bucket.upload_from_stream("bench", io.BytesIO(data))
            return op
        file_id = await bucket.upload_from_stream("bench", io.BytesIO(data))

        class Sink:
            n = 0

            def write(self, b):
                self.n += len(b)

        async def op(i):
            sink = Sink()
            await bucket.download_to_stream(file_id, sink)
            assert sink.n == size, sink.n
        return op
    raise ValueError("unknown workload %r" % a.workload)


async def main(a):
    client = motor.motor_asyncio.AsyncIOMotorClient(a.uri)
    try:
        op = await make_op(a, client)
        if go_duration(a.warmup) > 0:
            await run_loop(op, a.conc, go_duration(a.warmup), a.max_ops, None)
        lat = []
        cpu0 = cpu_seconds()
        t0 = time.perf_counter()
        await run_loop(op, a.conc, go_duration(a.duration), a.max_ops, lat)
        elapsed = time.perf_counter() - t0
        cpu1 = cpu_seconds()
    finally:
        client.close()
    lat.sort()
    return {
        "ops": len(lat), "seconds": elapsed, "cpu": cpu1 - cpu0,
        "p50_us": nearest_rank(lat, 50) / 1000, "p99_us": nearest_rank(lat, 99) / 1000, "mallocs": -1,
    }


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    for name in ("workload", "uri", "data", "tag", "warmup", "duration"):
        p.add_argument("-" + name, "--" + name, required=name in ("workload", "uri"), default="")
    for name, default in (("conc", 1), ("max-ops", 1 << 20), ("corpus", 10000), ("refs", 1000),
                          ("bulk-small", 1000), ("bulk-large", 10), ("file-mib", 1)):
        p.add_argument("-" + name, "--" + name, type=int, default=default)
    args = p.parse_args()
    try:
        res = asyncio.run(main(args))
    except Exception as e:  # reported to the harness, which shows it
        print(json.dumps({"error": "%s: %s" % (type(e).__name__, e)}))
        sys.exit(1)
    print(json.dumps(res))
